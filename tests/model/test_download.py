"""`logsmith model install --url URL --sha256 HEX [--name NAME]` against a real HTTP server on
127.0.0.1 (tests/model/model_http_server.py): resuming with a Range request, a server that ignores
ranges, wrong bytes, a page that is not GGUF, redirects, an untrusted certificate; then the real
default model downloaded (cut off half-way and resumed) and asked for one statement under its new
name (`model` tier).

The fast tests serve a small file that starts like a GGUF file: installing checks the magic bytes
and the hash, never more, and the real model proves that what is installed loads.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from model_http_server import ModelServer

import logsmith
from logsmith.model import download, manifest, registry
from logsmith.settings import Settings

FIXTURES = Path(__file__).parent / "fixtures"
"""untrusted-localhost.pem/.key: a self-signed certificate for 127.0.0.1 that no trust store holds
(openssl req -x509 -newkey rsa:2048 -nodes -days 36500 -subj /CN=127.0.0.1
-addext subjectAltName=IP:127.0.0.1,DNS:localhost); its key protects nothing."""
SMALL_SIZE = 3_000_000
CUT = 1_000_000


def logsmith_model(*args: str) -> subprocess.CompletedProcess:
    """The real `logsmith model ...` command (it inherits the test's LOGSMITH_CACHE)."""
    return subprocess.run([sys.executable, "-m", "logsmith.cli", "model", *args], capture_output=True,
                          text=True, timeout=600, env=dict(os.environ))


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture(scope="module")
def small_model(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("served") / "tiny-model.gguf"
    path.write_bytes(registry.GGUF_MAGIC + os.urandom(SMALL_SIZE - len(registry.GGUF_MAGIC)))
    return path


@pytest.fixture
def server(small_model):
    with ModelServer({"/files/tiny-model.gguf": small_model}) as running:
        yield running


@pytest.fixture
def cache(tmp_path, monkeypatch) -> Path:
    """A LOGSMITH_CACHE of this test's own: installing never touches the shared models folder."""
    folder = tmp_path / "cache"
    monkeypatch.setenv(registry.CACHE_ENV, str(folder))
    monkeypatch.delenv(registry.MODEL_ENV, raising=False)
    return folder


def leftovers(cache: Path) -> list[str]:
    return sorted(p.name for p in (cache / "models").iterdir()) if (cache / "models").is_dir() else []


def test_install_by_url_records_the_model_which_then_loads_by_name_without_hashing(
        server, small_model, cache, monkeypatch):
    expected = sha256(small_model.read_bytes())
    url = server.url("/files/tiny-model.gguf")
    done = logsmith_model("install", "--url", url, "--sha256", expected.upper(), "--name", "tiny")
    assert done.returncode == 0, done.stderr
    target = cache / "models" / "tiny.gguf"
    assert f"installed tiny (3 MB, sha256 verified)" in done.stdout and str(target) in done.stdout
    assert 'use it with `model = "tiny"`' in done.stdout
    assert "tiny: 3.0 MB of 3.0 MB (100 %)" in done.stderr  # progress on standard error
    assert target.read_bytes() == small_model.read_bytes()
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
    assert leftovers(cache) == ["downloaded.json", "tiny.gguf", "tiny.gguf.verified.json"]
    record = cache / "models" / "downloaded.json"
    assert stat.S_IMODE(record.stat().st_mode) == 0o600
    assert json.loads(record.read_text())["models"]["tiny"] | {"installed": None} == {
        "file": "tiny.gguf", "url": url, "sha256": expected, "size": SMALL_SIZE, "installed": None}

    def no_hashing(path):
        raise AssertionError(f"{path} was hashed again although it was verified while written")

    with monkeypatch.context() as patch:
        patch.setattr(registry, "sha256_of", no_hashing)
        by_name = registry.resolve(Settings(model="tiny"))
        assert (by_name.path, by_name.model_id, by_name.sha256) == (target.resolve(), "tiny", expected)
        assert registry.resolve(Settings(model=str(target))).sha256 == expected  # the path works too

    listed = logsmith_model("list")
    (row,) = [line for line in listed.stdout.splitlines() if line.startswith("tiny")]
    assert "3 MB" in row and "installed" in row and f"{url} (sha256 {expected})" in row
    assert logsmith_model("path", "tiny").stdout.strip() == str(target.resolve())
    assert f"sha256 {expected} (matches the pinned sha256)" in logsmith_model("verify", "tiny").stdout

    requests = len(server.requests)
    again = logsmith_model("install", "--url", url, "--sha256", expected, "--name", "tiny")
    assert again.returncode == 0 and "tiny is already installed and verified" in again.stdout
    assert len(server.requests) == requests  # nothing downloaded

    data = target.read_bytes()
    target.write_bytes(data[:-1] + bytes([data[-1] ^ 0xFF]))  # changed after install: refused when loaded
    with pytest.raises(registry.ModelCorrupt) as refused:
        registry.resolve(Settings(model="tiny"))
    assert f"logsmith model install --url {url} --sha256 {expected} --name tiny" in str(refused.value)


def test_an_interrupted_download_resumes_with_a_range_request(server, small_model, cache):
    expected = sha256(small_model.read_bytes())
    url = server.url("/files/tiny-model.gguf")
    server.behaviour.cut_after = CUT
    cut = logsmith_model("install", "--url", url, "--sha256", expected)
    assert cut.returncode == 1
    part = cache / "models" / "tiny-model.gguf.part"
    assert "stopped after 1.0 MB of 3.0 MB" in cut.stderr and "run the same command again to resume" in cut.stderr
    assert str(part) in cut.stderr and part.stat().st_size == CUT
    assert not (cache / "models" / "tiny-model.gguf").exists()

    server.behaviour.cut_after = None
    resumed = logsmith_model("install", "--url", url, "--sha256", expected)
    assert resumed.returncode == 0, resumed.stderr
    assert "resuming at 1.0 MB" in resumed.stderr
    last = server.requests[-1]
    assert (last.range, last.status, last.sent) == (f"bytes={CUT}-", 206, SMALL_SIZE - CUT)
    assert last.if_range and last.if_range.startswith('"')  # the ETag of the first answer
    assert (cache / "models" / "tiny-model.gguf").read_bytes() == small_model.read_bytes()
    assert leftovers(cache) == ["downloaded.json", "tiny-model.gguf", "tiny-model.gguf.verified.json"]


def test_a_server_that_ignores_the_range_is_read_from_the_start(server, small_model, cache):
    expected = sha256(small_model.read_bytes())
    url = server.url("/files/tiny-model.gguf")
    server.behaviour.cut_after = CUT
    assert download_fails(url, expected)
    server.behaviour.cut_after, server.behaviour.ignore_range = None, True
    messages = []
    result = download.install_from_url(url, expected, report=messages.append, progress=lambda *a, **k: None)
    assert result.path.read_bytes() == small_model.read_bytes()
    assert any("ignored the request to resume at 1.0 MB" in message for message in messages)
    last = server.requests[-1]
    assert (last.range, last.status, last.sent) == (f"bytes={CUT}-", 200, SMALL_SIZE)


def test_a_part_that_is_already_whole_is_verified_without_downloading_again(server, small_model, cache):
    """Stopped between the last byte and the rename: the server answers 416 to the range after the
    end, and the part is checked and installed as it is."""
    expected = sha256(small_model.read_bytes())
    (cache / "models").mkdir(parents=True)
    (cache / "models" / "whole.gguf.part").write_bytes(small_model.read_bytes())
    (cache / "models" / "whole.gguf.part.json").write_text(json.dumps({"sha256": expected, "validator": None}))
    result = download.install_from_url(server.url("/files/tiny-model.gguf"), expected, "whole",
                                       progress=lambda *a, **k: None)
    assert result.path.read_bytes() == small_model.read_bytes()
    assert [(r.range, r.status, r.sent) for r in server.requests] == [(f"bytes={SMALL_SIZE}-", 416, 0)]
    assert leftovers(cache) == ["downloaded.json", "whole.gguf", "whole.gguf.verified.json"]


def download_fails(url: str, expected: str) -> str:
    with pytest.raises(registry.ModelError) as failed:
        download.install_from_url(url, expected, progress=lambda *a, **k: None)
    return str(failed.value)


def test_wrong_bytes_are_refused_naming_both_hashes_and_nothing_is_kept(server, small_model, cache):
    expected = sha256(small_model.read_bytes())
    url = server.url("/files/tiny-model.gguf")
    server.behaviour.wrong_from = 2_000_000
    data = small_model.read_bytes()
    served = data[:2_000_000] + bytes(b ^ 0xFF for b in data[2_000_000:])
    message = download_fails(url, expected)
    assert f"has sha256 {sha256(served)}, not the expected {expected}" in message
    assert "it was deleted and nothing was installed" in message
    assert leftovers(cache) == []  # no model, no part, no manifest entry

    # a good part followed by wrong bytes from the resumed request: refused the same way, and the
    # next attempt starts from scratch
    server.behaviour.wrong_from, server.behaviour.cut_after = None, CUT
    download_fails(url, expected)
    server.behaviour.wrong_from, server.behaviour.cut_after = 2_000_000, None
    assert f"has sha256 {sha256(served)}" in download_fails(url, expected)
    assert leftovers(cache) == []
    server.behaviour.wrong_from = None
    assert download.install_from_url(url, expected, progress=lambda *a, **k: None).path.is_file()
    assert server.requests[-1].range is None


def test_a_page_that_is_not_gguf_is_refused_at_its_first_bytes(server, cache):
    server.behaviour.page["/login"] = b"<html><body>Please sign in</body></html>"
    message = download_fails(server.url("/login"), "0" * 64)
    assert "is not a GGUF file (it starts with b'<htm', not b'GGUF')" in message
    assert leftovers(cache) == []


def test_redirects_only_to_http_or_https_and_never_down_from_https(server, small_model, cache):
    expected = sha256(small_model.read_bytes())
    for target in ("file:///etc/passwd", "ftp://127.0.0.1/tiny-model.gguf"):
        server.behaviour.redirects["/moved.gguf"] = target
        message = download_fails(server.url("/moved.gguf"), expected)
        assert f"redirects to {target}: refused" in message
    assert not (cache / "models" / "moved.gguf").exists()
    server.behaviour.redirects["/moved.gguf"] = server.url("/files/tiny-model.gguf")
    signed = server.url("/moved.gguf?signature=s3cr3t")
    assert download.install_from_url(signed, expected, progress=lambda *a, **k: None).path.name == "moved.gguf"
    assert manifest.find(cache / "models", "moved").url == server.url("/moved.gguf")  # no query kept
    # from https to http: the rule itself (a local https server is not trusted, see below)
    handler = download._NoSchemeChange()

    class Request:
        full_url = "https://example.org/model.gguf"

    with pytest.raises(registry.ModelError, match="never from https to http"):
        handler.redirect_request(Request(), None, 302, "Found", {}, "http://example.org/model.gguf")


def test_https_is_verified_against_the_system_trust_store(small_model, cache):
    tls = (FIXTURES / "untrusted-localhost.pem", FIXTURES / "untrusted-localhost.key")
    with ModelServer({"/tiny.gguf": small_model}, tls=tls) as server:
        done = logsmith_model("install", "--url", server.url("/tiny.gguf"), "--sha256", "0" * 64)
    assert done.returncode == 1
    assert "the server's certificate is not trusted (self-signed certificate)" in done.stderr
    assert leftovers(cache) == []


def test_arguments_are_checked_before_anything_is_downloaded(server, cache):
    url = server.url("/files/tiny-model.gguf")
    cases = {
        ("--url", url): "--url needs --sha256 HEX",
        ("--url", url, "--sha256", "abc"): "64 hexadecimal digits, not 'abc'",
        ("--url", "ftp://127.0.0.1/m.gguf", "--sha256", "0" * 64): "must be an http:// or https:// address",
        ("--url", "file:///tmp/m.gguf", "--sha256", "0" * 64): "must be an http:// or https:// address",
        ("--url", url, "--sha256", "0" * 64, "--name", "gemma-3-270m"): "'gemma-3-270m' is a registered model",
        ("--url", server.url("/gemma-3-270m-q4_k_m.gguf"), "--sha256", "0" * 64):
            "gemma-3-270m-q4_k_m.gguf is where a registered model is installed",
        ("--url", url, "--sha256", "0" * 64, "--name", "../up"): "not usable as a file name",
        ("--url", server.url("/m.gguf").replace("//", "//me:secret@"), "--sha256", "0" * 64):
            "must not carry a user name or password",
        ("tiny", "--url", url, "--sha256", "0" * 64): "with --name tiny",
        ("--sha256", "0" * 64): "--sha256 and --name go with --url",
    }
    for args, message in cases.items():
        done = logsmith_model("install", *args)
        assert done.returncode == 1 and message in done.stderr, (args, done.stderr)
    assert server.requests == [] and leftovers(cache) == []


@pytest.mark.model
def test_the_real_model_downloads_resumes_and_answers_under_its_new_name(default_model_path, cache, monkeypatch):
    """The default model served over HTTP, cut off at 100 MB, resumed, and asked for a statement."""
    expected = registry.REGISTRY[registry.DEFAULT_MODEL].sha256
    with ModelServer({"/models/gemma.gguf": Path(default_model_path)}) as server:
        url = server.url("/models/gemma.gguf")
        server.behaviour.cut_after = 100_000_000
        cut = logsmith_model("install", "--url", url, "--sha256", expected, "--name", "gemma-by-url")
        assert cut.returncode == 1 and "stopped after 100.0 MB of 253.1 MB" in cut.stderr
        server.behaviour.cut_after = None
        done = logsmith_model("install", "--url", url, "--sha256", expected, "--name", "gemma-by-url")
        assert done.returncode == 0, done.stderr
        assert (server.requests[-1].range, server.requests[-1].status) == ("bytes=100000000-", 206)
    assert "installed gemma-by-url (253 MB, sha256 verified)" in done.stdout

    monkeypatch.setenv("LOGSMITH_MODEL_ALWAYS_TRY", "1")
    settings = Settings(model="gemma-by-url", latency_budget_ms=120_000)
    choice = registry.resolve(settings)
    assert choice.path == cache / "models" / "gemma-by-url.gguf" and choice.sha256 == expected
    from logsmith.engines import model_engine

    worker = model_engine.preload(settings, timeout=180)
    try:
        assert worker.state == "ready", worker.last_error
        source = textwrap.dedent('''\
            import logging

            logger = logging.getLogger(__name__)


            def fetch(session, url):
                try:
                    return session.get(url)
                except ConnectionError as err:
                    logger.
                    raise
            ''')
        row = source.split("\n").index("        logger.")
        found = logsmith.suggest(source, row, len("        logger."), settings=settings)
        assert found
        top = found[0]
        assert top.source == "gemma-by-url" or any("gave no usable message" in n for n in top.notes), top.notes
        assert top.statement.startswith("logger.")
    finally:
        worker.close()


def test_a_damaged_manifest_is_named_and_does_not_stop_a_model_given_by_path(small_model, cache):
    (cache / "models").mkdir(parents=True)
    (cache / "models" / manifest.MANIFEST_FILE).write_text("{not json")
    with pytest.raises(registry.ModelError, match=r"downloaded.json is not JSON .*install the models of `--url` again"):
        registry.resolve(Settings(model="tiny"))
    assert registry.resolve(Settings(model=str(small_model))).path == small_model.resolve()
    listed = logsmith_model("list")
    assert listed.returncode == 0 and "downloaded.json is not JSON" in listed.stderr
