"""Supply chain (SECURITY.md "Supply chain"): model files are pinned by SHA-256 and checked
before llama.cpp ever opens them, a changed file is hashed again even when its size and mtime were
put back, the README names each model's source and licence, and every dependency `make` installs
is pinned in constraints.txt."""

from __future__ import annotations

import importlib.metadata
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement

import logsmith
from logsmith.model import registry
from logsmith.model import client
from logsmith.settings import Settings

REPO = Path(__file__).resolve().parents[2]
DEFAULT = registry.REGISTRY[registry.DEFAULT_MODEL]
EXCEPT_SITE = (
    "import logging\n\nlogger = logging.getLogger(__name__)\n\n\n"
    "def fetch(url, session):\n    try:\n        return session.get(url)\n    except ConnectionError as err:\n        \n        raise\n"
)
EXCEPT_LINE = 9


def normalised(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def processes_opening(path: Path) -> list[str]:
    """Command lines of running processes that name `path` (a model worker started on it would)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            if str(path) in command:
                found.append(command)
    return found


@pytest.fixture
def tampered_install(tmp_path, monkeypatch, default_model_path):
    """A private LOGSMITH_CACHE whose registry-named default model was verified once, then had one byte
    of its weights changed in place with its mtime put back: size, mtime and inode are those the
    verification cache remembers."""
    cache = tmp_path / "cache"
    target = cache / "models" / DEFAULT.file_name
    target.parent.mkdir(parents=True)
    shutil.copyfile(default_model_path, target)
    monkeypatch.setenv(registry.CACHE_ENV, str(cache))
    monkeypatch.delenv(registry.MODEL_ENV, raising=False)
    assert registry.resolve(Settings(model=registry.DEFAULT_MODEL)).sha256 == DEFAULT.sha256  # verified, cached
    assert registry.installed_state(registry.DEFAULT_MODEL) == "installed"
    before = os.stat(target)
    with open(target, "r+b") as handle:
        handle.seek(before.st_size // 2)
        byte = handle.read(1)
        handle.seek(before.st_size // 2)
        handle.write(bytes([byte[0] ^ 0x01]))
    os.utime(target, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = os.stat(target)
    assert (after.st_size, after.st_mtime_ns, after.st_ino) == (before.st_size, before.st_mtime_ns, before.st_ino)
    return cache, target


def test_a_tampered_model_under_the_registry_name_is_refused_before_it_is_loaded(tampered_install):
    cache, target = tampered_install
    with pytest.raises(registry.ModelCorrupt, match="corrupt"):
        registry.resolve(Settings(model=registry.DEFAULT_MODEL))
    assert registry.installed_state(registry.DEFAULT_MODEL) == "unverified"

    # The path every consumer takes: the suggestion comes from the template and says why.
    found = logsmith.suggest(EXCEPT_SITE, EXCEPT_LINE, 8, settings=Settings(model=registry.DEFAULT_MODEL))
    assert found and {s.source for s in found} == {"template"}
    assert any("corrupt" in note and DEFAULT.sha256[:12] in note for note in found[0].notes), found[0].notes
    # llama.cpp never saw the file: no worker was created for it, and no process has it open by name.
    assert str(target.resolve()) not in client._workers
    assert processes_opening(target) == []

    done = subprocess.run([sys.executable, "-m", "logsmith.cli", "model", "verify", registry.DEFAULT_MODEL],
                          env={**os.environ, registry.CACHE_ENV: str(cache)}, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1 and "corrupt" in done.stderr


def test_readme_names_the_source_and_licence_of_every_model():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    rows = [line for line in readme.splitlines() if line.startswith("|")]
    for spec in registry.REGISTRY.values():
        # the model table's row, whose first cell is the name (other tables mention the default too)
        row = next((line for line in rows if line.split("|")[1].strip().startswith(f"`{spec.name}`")), None)
        assert row, f"README.md has no table row for the model {spec.name}"
        assert spec.licence in row, f"README.md does not give the licence of {spec.name} ({spec.licence})"
        assert spec.sha256[:8] in row, f"README.md does not give the SHA-256 of {spec.name}"
        package = spec.chunks[0].package
        assert package in row or package.rstrip("0123456789") in row, f"README.md does not name the PyPI source of {spec.name}"
        assert f"=={spec.chunks[0].version}" in row, f"README.md does not give the pinned version of {spec.name}'s packages"
    for spec in registry.REGISTRY.values():  # the registry itself pins every chunk exactly
        assert all(re.fullmatch(r"[A-Za-z0-9.-]+==\d+(\.\d+)*", chunk.requirement) for chunk in spec.chunks)


def constraints() -> dict[str, str]:
    pins = {}
    for line in (REPO / "constraints.txt").read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            name, separator, version = line.partition("==")
            assert separator, f"constraints.txt: {line!r} is not pinned with =="
            pins[normalised(name)] = version.strip()
    return pins


def installed_closure(name: str, extras: tuple[str, ...]) -> dict[str, str]:
    """Every installed distribution `name[extras]` needs, with its installed version."""
    found: dict[str, str] = {}
    queue = [(name, extras)]
    while queue:
        current, wanted = queue.pop()
        distribution = importlib.metadata.distribution(current)
        key = normalised(distribution.metadata["Name"])
        seen_before = key in found
        found[key] = distribution.version
        if seen_before and not wanted:
            continue
        for text in distribution.requires or []:
            requirement = Requirement(text)
            environments = [{"extra": extra} for extra in ("", *wanted)]
            if requirement.marker is None or any(requirement.marker.evaluate(env) for env in environments):
                queue.append((requirement.name, tuple(requirement.extras)))
    return found


def test_every_dependency_is_pinned_in_constraints_and_make_installs_with_them():
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    pins = constraints()
    for text in project["dependencies"]:
        requirement = Requirement(text)
        key = normalised(requirement.name)
        assert key in pins, f"runtime dependency {requirement.name} is not pinned in constraints.txt"
        assert requirement.specifier.contains(pins[key]), f"constraints.txt pins {key}=={pins[key]}, pyproject wants {text}"
    # Everything the installed logsmith[test,eval] pulls in, transitively, is pinned and installed at its pin.
    closure = installed_closure("logsmith", ("test", "eval"))
    closure.pop("logsmith")
    unpinned = sorted(set(closure) - set(pins))
    assert unpinned == [], f"installed but not pinned in constraints.txt: {unpinned}"
    drift = {name: (version, pins[name]) for name, version in closure.items() if version != pins[name]}
    assert drift == {}, f"installed versions differ from constraints.txt: {drift}"

    makefile = (REPO / "Makefile").read_text()
    installs = [line.strip() for line in makefile.splitlines() if re.search(r"\$\(PIP\)\s+install\b", line)]
    assert installs, "the Makefile no longer installs with $(PIP)"
    assert all("-c constraints.txt" in line for line in installs), installs
    assert re.search(r"^PIP\s*:=\s*\$\(PY\) -m pip\b", makefile, re.MULTILINE), "$(PIP) is not the project venv's pip"
    llama_version = re.search(r"^LLAMA_VERSION\s*:=\s*(\S+)", makefile, re.MULTILINE).group(1)
    assert pins["llama-cpp-python"] == llama_version, "the llama.cpp wheel is built at another version than the pin"
    assert "llama-cpp-python==$(LLAMA_VERSION)" in makefile
