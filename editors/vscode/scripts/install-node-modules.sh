#!/usr/bin/env bash
# Installs the extension's npm dependencies (TypeScript, esbuild, ESLint, @types/node, vsce) into
# editors/vscode/node_modules, exactly as package-lock.json pins them. `npm ci` runs only when the
# lock changed since the last run (node_modules/.logsmith-package-lock.sha256 remembers it), and it
# reads npm's own cache (~/.npm) when it can, so a second run downloads nothing.
#
# Usage: scripts/install-node-modules.sh     then prints TSC=PATH (the pinned TypeScript compiler)
# Needs: Node 20 or newer and npm on PATH.
set -euo pipefail

EXTENSION=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

log() { printf 'install-node-modules: %s\n' "$*" >&2; }

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
    log "npm ci"
    npm ci --prefer-offline --no-audit --no-fund --loglevel=error >&2
    echo "$lock_digest" >"$stamp"
fi
echo "TSC=$EXTENSION/node_modules/.bin/tsc"
