# logsmith: `make demo` sets everything up and runs the main job; `make test` sets up and runs every test.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
CACHE ?= $(HOME)/.cache/logsmith
LLAMA_VERSION := 0.3.36
# GGML_NATIVE=ON compiles AMX kernels that crash on CPUs with AMX (SIGSEGV in the first decode);
# this set does not.
LLAMA_FLAGS := -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON
LLAMA_KEY := $(shell echo '$(LLAMA_VERSION) $(LLAMA_FLAGS)' | sha256sum | cut -c1-12)
WHEELS := $(CACHE)/wheels/llama-cpp-python-$(LLAMA_VERSION)-$(LLAMA_KEY)
# llama.cpp's inference server, built from the same sources with the same flags (the remote
# backend's tests and benchmark run it); the tests read its path from LOGSMITH_LLAMA_SERVER.
LLAMA_SERVER := $(CACHE)/llama-server-$(LLAMA_VERSION)-$(LLAMA_KEY)/llama-server
export LOGSMITH_LLAMA_SERVER := $(abspath $(LLAMA_SERVER))
PIP := $(PY) -m pip --disable-pip-version-check -q

# Debian packages the editor tests need: Neovim 0.7.2 (the oldest supported), tmux and a font for
# the Neovim screenshots, Chromium and the libraries code-server builds against.
SYSTEM_PACKAGES := neovim tmux fonts-dejavu-core chromium libkrb5-dev libsecret-1-dev libx11-dev libxkbfile-dev
# Debian packages the language tests build and vet suggestions with: Go 1.19 and the Go logging
# libraries the suggestions call (zap, logrus, hclog, klog), read in GOPATH mode.
GO_PACKAGES := golang-go golang-go.uber-zap-dev golang-github-sirupsen-logrus-dev \
	golang-github-hashicorp-go-hclog-dev golang-k8s-klog-dev
# Debian packages the llama-server build needs.
BUILD_PACKAGES := cmake g++

# Installs only the packages of $(1) that are missing, so a second run asks apt nothing.
define apt_install
	@missing=$$(for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing $$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi
endef

.PHONY: setup system go-toolchain build-tools editors demo lint test test-fast eval model wheel llama-server clean print-llama-server

setup: $(VENV)/.installed model llama-server

system:
	$(call apt_install,$(SYSTEM_PACKAGES))

go-toolchain:
	$(call apt_install,$(GO_PACKAGES))

build-tools:
	$(call apt_install,$(BUILD_PACKAGES))

# Node 24, code-server and playwright-core for the VS Code test, cached under $(CACHE)/editors.
editors: system
	bash editors/vscode/scripts/setup-code-server.sh >/dev/null

# The llama-cpp-python wheel is built once per version and flag set, outside the clone.
wheel: $(WHEELS)/.built
$(WHEELS)/.built:
	mkdir -p $(WHEELS)
	$(PYTHON) -m venv $(CACHE)/wheel-builder
	$(CACHE)/wheel-builder/bin/pip --disable-pip-version-check -q install wheel
	CMAKE_ARGS="$(LLAMA_FLAGS)" $(CACHE)/wheel-builder/bin/pip wheel --no-cache-dir --no-deps \
		-w $(WHEELS) llama-cpp-python==$(LLAMA_VERSION)
	touch $@

# llama-server is built once per version and flag set, outside the clone (about 15 min on 2 cores).
llama-server: $(LLAMA_SERVER)
$(LLAMA_SERVER):
	$(MAKE) --no-print-directory build-tools
	test -x $(CACHE)/wheel-builder/bin/python || $(PYTHON) -m venv $(CACHE)/wheel-builder
	bash scripts/build-llama-server.sh --version $(LLAMA_VERSION) --flags "$(LLAMA_FLAGS)" \
		--dest $(dir $(LLAMA_SERVER)) --python $(CACHE)/wheel-builder/bin/python

# Where the tests find llama-server when pytest runs outside make (tests/model/llama_servers.py).
print-llama-server:
	@echo $(LOGSMITH_LLAMA_SERVER)

$(VENV)/.installed: pyproject.toml constraints.txt $(WHEELS)/.built
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -c constraints.txt --find-links $(WHEELS) -e '.[test,eval,cluster]'
	touch $@

model: $(VENV)/.installed
	$(VENV)/bin/logsmith model install

demo: setup
	$(VENV)/bin/logsmith suggest examples/inventory --diff

# Style, imports, docstrings and line length (ruff), formatting (ruff format) and types (mypy);
# the configuration is in pyproject.toml.
lint: $(VENV)/.installed
	$(VENV)/bin/ruff check logsmith
	$(VENV)/bin/ruff format --check logsmith
	$(VENV)/bin/mypy logsmith

test: setup editors go-toolchain lint
	$(PY) -m pytest -q

# The tests that need neither the model nor an editor (markers: tests/conftest.py): about 2.5
# minutes on 2 idle cores.
test-fast: $(VENV)/.installed go-toolchain
	$(PY) -m pytest -q -m "not model and not editor"

eval: setup
	$(PY) -m eval.run

clean:
	rm -rf $(VENV)

# ---- for users: logsmith outside this checkout, and the VS Code extension

# Installs logsmith into a virtual environment of its own, with llama-cpp-python from the wheel
# above and the default model (scripts/install.sh). INSTALL_VENV: the venv (default
# ~/.local/share/logsmith/venv, which the editor plugins search); INSTALL_MODEL: another model;
# INSTALL_LINK: a folder for a `logsmith` symlink, e.g. ~/.local/bin.
INSTALL_VENV ?=
INSTALL_MODEL ?=
INSTALL_LINK ?=
.PHONY: install vsix
install: wheel
	bash scripts/install.sh --python $(PYTHON) --wheels $(WHEELS) --llama-version $(LLAMA_VERSION) \
		$(if $(INSTALL_VENV),--venv "$(INSTALL_VENV)") $(if $(INSTALL_MODEL),--model "$(INSTALL_MODEL)") \
		$(if $(INSTALL_LINK),--link "$(INSTALL_LINK)")

# Builds, lints, unit-tests and packages the VS Code extension into editors/vscode/logsmith.vsix
# (Node 20 or newer on PATH).
vsix:
	bash editors/vscode/scripts/package-vsix.sh editors/vscode/logsmith.vsix
