#!/usr/bin/env bash
# Builds, lints, unit-tests and packages the VS Code extension into one .vsix file, as `make vsix`
# and the end-to-end test (tests/editors/test_vscode.py) do.
#
# Usage: scripts/package-vsix.sh [OUT]      OUT: the .vsix to write (default editors/vscode/logsmith.vsix)
# Needs: Node 20 or newer and npm on PATH. `npm ci` runs only when package-lock.json changed since
# the last run (node_modules/.logsmith-package-lock.sha256 remembers it).
set -euo pipefail

EXTENSION=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out=${1:-$EXTENSION/logsmith.vsix}
[[ $out == /* ]] || out="$PWD/$out"

log() { printf 'package-vsix: %s\n' "$*" >&2; }

command -v node >/dev/null && command -v npm >/dev/null || { log "needs Node 20 or newer and npm on PATH"; exit 1; }
major=$(node -p 'process.versions.node.split(".")[0]')
if ((major < 20)); then
    log "needs Node 20 or newer; $(command -v node) is $(node --version)"
    exit 1
fi

cd "$EXTENSION"
lock_digest=$(sha256sum package-lock.json | cut -d' ' -f1)
stamp=node_modules/.logsmith-package-lock.sha256
if [[ ! -f $stamp || $(cat "$stamp") != "$lock_digest" ]]; then
    # npm ci installs exactly package-lock.json, from npm's own cache (~/.npm) when it can.
    log "npm ci"
    npm ci --prefer-offline --no-audit --no-fund --loglevel=error
    echo "$lock_digest" >"$stamp"
fi
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
