#!/usr/bin/env bash
# Builds, lints, unit-tests and packages the VS Code extension into one .vsix file, as `make vsix`
# and the end-to-end test (tests/editors/test_vscode.py) do.
#
# Usage: scripts/package-vsix.sh [OUT]      OUT: the .vsix to write (default editors/vscode/logsmith.vsix)
# Needs: Node 20 or newer and npm on PATH; the dependencies come from scripts/install-node-modules.sh.
set -euo pipefail

EXTENSION=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out=${1:-$EXTENSION/logsmith.vsix}
[[ $out == /* ]] || out="$PWD/$out"

log() { printf 'package-vsix: %s\n' "$*" >&2; }

bash "$EXTENSION/scripts/install-node-modules.sh" >/dev/null
cd "$EXTENSION"
log "build"
npm run --silent build
log "lint"
npm run --silent lint
log "unit tests"
npm test --silent
log "package"
mkdir -p "$(dirname "$out")"
rm -f "$out"
npm run --silent package -- --out "$out"
log "wrote $out"
echo "$out"
