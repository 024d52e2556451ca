# logsmith: `make demo` sets everything up and runs the main job; `make test` sets up and runs every test.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
CACHE ?= $(HOME)/.cache/logsmith
LLAMA_VERSION := 0.3.36
# GGML_NATIVE=ON compiles AMX kernels that crash on these CPUs (../shared/FACTS.md); this set does not.
LLAMA_FLAGS := -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON
LLAMA_KEY := $(shell echo '$(LLAMA_VERSION) $(LLAMA_FLAGS)' | sha256sum | cut -c1-12)
WHEELS := $(CACHE)/wheels/llama-cpp-python-$(LLAMA_VERSION)-$(LLAMA_KEY)
PIP := $(PY) -m pip --disable-pip-version-check -q

.PHONY: setup demo test eval model wheel clean

setup: $(VENV)/.installed model

# The llama-cpp-python wheel is built once per version and flag set, outside the clone.
wheel: $(WHEELS)/.built
$(WHEELS)/.built:
	mkdir -p $(WHEELS)
	$(PYTHON) -m venv $(CACHE)/wheel-builder
	$(CACHE)/wheel-builder/bin/pip --disable-pip-version-check -q install wheel
	CMAKE_ARGS="$(LLAMA_FLAGS)" $(CACHE)/wheel-builder/bin/pip wheel --no-cache-dir --no-deps \
		-w $(WHEELS) llama-cpp-python==$(LLAMA_VERSION)
	touch $@

$(VENV)/.installed: pyproject.toml constraints.txt $(WHEELS)/.built
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -c constraints.txt --find-links $(WHEELS) -e '.[test,eval]'
	touch $@

model: $(VENV)/.installed
	$(VENV)/bin/logsmith model install

demo: setup
	$(VENV)/bin/logsmith suggest examples/inventory --diff

test: setup
	$(PY) -m pytest -q

eval: setup
	$(PY) -m eval.run

clean:
	rm -rf $(VENV)
