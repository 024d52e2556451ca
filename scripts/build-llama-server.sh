#!/usr/bin/env bash
# Builds llama.cpp's `llama-server` once from the llama.cpp sources inside the pinned
# llama-cpp-python source package (PyPI has no server binary), with the CPU flags the wheel uses,
# into a folder outside the clone. Prints nothing on success; the binary is DEST/llama-server.
#
# Usage: scripts/build-llama-server.sh --version V --flags "CMAKE FLAGS" --dest DIR [--python PY]
set -euo pipefail

die() { printf 'build-llama-server: %s\n' "$*" >&2; exit 1; }

version="" flags="" dest="" python=python3
while (($#)); do
    case $1 in
        --version) version=$2; shift 2 ;;
        --flags) flags=$2; shift 2 ;;
        --dest) dest=$2; shift 2 ;;
        --python) python=$2; shift 2 ;;
        *) die "unknown option $1" ;;
    esac
done
[[ -n $version && -n $dest ]] || die "--version and --dest are required"
command -v cmake >/dev/null || die "cmake is missing (apt-get install cmake)"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$python" -m pip --disable-pip-version-check -q download --no-deps --no-binary :all: \
    -d "$work" "llama-cpp-python==$version" >&2
tar -xzf "$work"/llama_cpp_python-"$version".tar.gz -C "$work"
src="$work/llama_cpp_python-$version/vendor/llama.cpp"
[[ -f $src/CMakeLists.txt ]] || die "no llama.cpp sources in the source package"

# shellcheck disable=SC2086  # the flags are a list of separate cmake arguments
cmake -S "$src" -B "$work/build" -DCMAKE_BUILD_TYPE=Release -DBUILD_SHARED_LIBS=OFF \
    -DLLAMA_BUILD_SERVER=ON -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF \
    -DLLAMA_OPENSSL=OFF -DLLAMA_CURL=OFF -DLLAMA_USE_PREBUILT_UI=OFF $flags >"$work/cmake.log" 2>&1 \
    || { tail -30 "$work/cmake.log" >&2; die "cmake failed"; }
cmake --build "$work/build" --target llama-server -j "$(nproc)" >"$work/build.log" 2>&1 \
    || { tail -40 "$work/build.log" >&2; die "the build failed"; }
mkdir -p "$dest"
install -m 0755 "$work/build/bin/llama-server" "$dest/llama-server.tmp"
mv "$dest/llama-server.tmp" "$dest/llama-server"
