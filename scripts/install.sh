#!/usr/bin/env bash
# Installs logsmith for use outside this repository, the way `make install` runs it: a virtual
# environment of its own holding logsmith (from this checkout), llama-cpp-python from the wheel the
# Makefile builds once with CPU flags that do not crash (never a default source build), and the
# default model; then prints where the `logsmith` executable is and how to point the editors at it.
#
# Usage: scripts/install.sh --wheels DIR --llama-version V [--venv DIR] [--python PYTHON]
#                           [--model NAME | --no-model] [--link DIR]
#   --venv DIR     the virtual environment (created if missing, updated if there);
#                  default $XDG_DATA_HOME/logsmith/venv, else ~/.local/share/logsmith/venv, where
#                  the Neovim plugin and the VS Code extension look without being told
#   --model NAME   the model to install (default: the default model); --no-model installs none
#   --link DIR     also put a `logsmith` symlink into DIR (e.g. ~/.local/bin), for PATH
#
# The install is editable: logsmith runs from this checkout (its tree-sitter queries live in the
# checkout's grammars/ folder), so keep the checkout, and run `make install` again after updating it.
set -euo pipefail

die() { printf 'install: %s\n' "$*" >&2; exit 1; }
say() { printf 'install: %s\n' "$*" >&2; }

CHECKOUT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
data_home=${XDG_DATA_HOME:-}
[[ $data_home == /* ]] || data_home="$HOME/.local/share"
DEFAULT_VENV="$data_home/logsmith/venv"

venv=$DEFAULT_VENV
python=python3
wheels=""
llama_version=""
model=""
install_model=1
link_dir=""

while (($#)); do
    case $1 in
        --venv) venv=${2:?--venv needs a folder}; shift 2 ;;
        --python) python=${2:?--python needs an interpreter}; shift 2 ;;
        --wheels) wheels=${2:?--wheels needs a folder}; shift 2 ;;
        --llama-version) llama_version=${2:?--llama-version needs a version}; shift 2 ;;
        --model) model=${2:?--model needs a model name}; shift 2 ;;
        --no-model) install_model=0; shift ;;
        --link) link_dir=${2:?--link needs a folder}; shift 2 ;;
        -h|--help) sed -n '2,16p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) die "unknown argument: $1 (see --help)" ;;
    esac
done

[[ -n $wheels && -n $llama_version ]] || die "--wheels and --llama-version are required; run this through \`make install\`"
compgen -G "$wheels/llama_cpp_python-$llama_version-*.whl" >/dev/null \
    || die "no llama-cpp-python $llama_version wheel in $wheels; \`make wheel\` builds it (about 4 minutes)"
# A leading ~ (as in INSTALL_VENV=~/x given to make) and relative paths are made absolute.
expand() { local p=$1; [[ $p == "~" || $p == "~/"* ]] && p="$HOME${p:1}"; [[ $p == /* ]] || p="$PWD/$p"; printf '%s' "$p"; }
venv=$(expand "$venv")
[[ -n $link_dir ]] && link_dir=$(expand "$link_dir")

"$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null \
    || die "$python is not Python 3.11 or newer (logsmith needs 3.11+); pass PYTHON=/path/to/python3.11 to make"

if [[ -e $venv && ! -x $venv/bin/python ]]; then
    [[ -d $venv && -z $(ls -A "$venv") ]] || die "$venv exists and is not a virtual environment; choose another with INSTALL_VENV=DIR"
fi
if [[ -x $venv/bin/python ]]; then
    say "updating the virtual environment $venv"
else
    say "creating the virtual environment $venv"
    mkdir -p "$(dirname "$venv")"
    "$python" -m venv "$venv"
fi
pip=("$venv/bin/python" -m pip --disable-pip-version-check -q)

# llama-cpp-python from the cached wheel only: PyPI has just its source, whose default build
# (GGML_NATIVE=ON) crashes on CPUs with AMX. --no-index makes a missing or incompatible wheel an
# error here instead of a silent source build.
say "installing llama-cpp-python $llama_version from $wheels"
"${pip[@]}" install --no-index --no-deps --find-links "$wheels" "llama-cpp-python==$llama_version" \
    || die "the cached wheel does not install into $venv (built for another Python?); run \`make install\` with the same PYTHON as \`make wheel\`"
say "installing logsmith from $CHECKOUT"
"${pip[@]}" install -c "$CHECKOUT/constraints.txt" --find-links "$wheels" --only-binary llama-cpp-python -e "$CHECKOUT"

logsmith="$venv/bin/logsmith"
[[ -x $logsmith ]] || die "pip finished but $logsmith is missing"
version=$("$logsmith" --version)

if ((install_model)); then
    say "installing the model ${model:-(default)}"
    if [[ -n $model ]]; then "$logsmith" model install "$model"; else "$logsmith" model install; fi
    model_path=$("$logsmith" model path ${model:+"$model"})
fi

if [[ -n $link_dir ]]; then
    mkdir -p "$link_dir"
    ln -sfn "$logsmith" "$link_dir/logsmith"
fi

# What to do next, on stdout.
echo
echo "$version is installed."
echo "  executable  $logsmith"
((install_model)) && echo "  model       $model_path"
[[ -n $link_dir ]] && echo "  linked as   $link_dir/logsmith"
echo "  runs from   $CHECKOUT (keep this checkout; run \`make install\` again after updating it)"
echo
if [[ $venv == "$DEFAULT_VENV" ]]; then
    echo "Neovim and VS Code find it there by themselves (after a project's .venv and logsmith on PATH)."
    echo "To name it explicitly:"
else
    echo "Point the editors at it:"
fi
echo "  Neovim   require(\"logsmith\").setup({ cmd = { \"$logsmith\", \"serve\" } })"
echo "           or, with vim.lsp.enable(\"logsmith\"): vim.lsp.config(\"logsmith\", { cmd = { \"$logsmith\", \"serve\" } })"
echo "  VS Code  settings.json: \"logsmith.server.path\": \"$logsmith\""
echo "           the extension itself: \`make vsix\`, then code --install-extension $CHECKOUT/editors/vscode/logsmith.vsix"
if [[ -z $link_dir ]]; then
    echo "  shell    $logsmith suggest PATH   (or \`make install INSTALL_LINK=~/.local/bin\` to put it on PATH)"
elif [[ ":$PATH:" != *":$link_dir:"* ]]; then
    echo "  shell    $link_dir is not on PATH; add it, or run $logsmith directly"
fi
((install_model)) || echo "No model installed: run \`$logsmith model install\` before using the model."
