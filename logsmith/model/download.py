"""Installing any GGUF model from a URL, pinned by the SHA-256 the user gives.

`logsmith model install --url URL --sha256 HEX [--name NAME]` downloads the file into
`$LOGSMITH_CACHE/models/NAME.gguf.part`, checks that it starts like a GGUF file and hashes to HEX,
then renames it to `NAME.gguf`, records the verified hash in the registry's sidecar (so loading it
does not hash it again) and the model in the manifest (`logsmith.model.manifest`). NAME defaults
to the file stem of the URL's path.

- An interrupted download keeps its `.part` file; the same command resumes it with an HTTP Range
  request (and `If-Range`, so a file changed on the server is fetched whole). A server that
  ignores the range sends the whole file, which is then written from the start.
- Only http and https; https is verified against the system's trust store. A redirect may go from
  http to https, never to another scheme or from https down to http. The hash is what makes plain
  http acceptable: a file that does not hash to HEX is deleted and nothing is installed.
- A file that is not GGUF is refused at its first bytes.
- Progress goes to standard error.
- The manifest keeps the URL without its query (where signed links carry their credentials); a URL
  with a user name or password is refused.
"""

from __future__ import annotations

import fcntl
import hashlib
import http.client
import json
import os
import re
import ssl
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit, urlunsplit

from logsmith import __version__
from logsmith.model import manifest
from logsmith.model.registry import (
    GGUF_MAGIC,
    REGISTRY,
    InstallResult,
    ModelCorrupt,
    ModelError,
    models_dir,
    remember_verified,
    verify,
)

BLOCK = 1 << 20
TIMEOUT_S = 60.0
"""How long the connection may stay silent before the download counts as interrupted."""
PROGRESS_EVERY_S = 2.0
NAME_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")
SHA256_PATTERN = re.compile(r"[0-9a-f]{64}")
SCHEMES = ("http", "https")


def check_sha256(text: str) -> str:
    sha = text.strip().lower()
    if not SHA256_PATTERN.fullmatch(sha):
        raise ModelError(
            f"--sha256 must be the file's SHA-256 as 64 hexadecimal digits, not {text!r}"
        )
    return sha


def check_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme.lower() not in SCHEMES or not parts.hostname:
        raise ModelError(f"--url must be an http:// or https:// address with a host, not {url!r}")
    if parts.username is not None or parts.password is not None:
        raise ModelError("--url must not carry a user name or password")
    return url


def recorded_url(url: str) -> str:
    """The URL as the manifest keeps it: without its query or fragment, where signed download
    links carry their credentials."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))


def name_from_url(url: str) -> str:
    """The file stem of the URL's path: `https://host/dir/tiny-model.gguf?x=1` -> `tiny-model`."""
    last = unquote(urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1])
    return last[: -len(".gguf")] if last.lower().endswith(".gguf") else last


def check_name(name: str) -> str:
    if not NAME_PATTERN.fullmatch(name) or name.lower().endswith(".gguf"):
        raise ModelError(
            f"the model name {name!r} is not usable as a file name: use letters, digits, '.', '_' "
            "and '-' (no .gguf ending), with --name NAME"
        )
    if name in REGISTRY:
        raise ModelError(f"'{name}' is a registered model; choose another --name")
    if f"{name}.gguf" in {spec.file_name for spec in REGISTRY.values()}:
        raise ModelError(
            f"{name}.gguf is where a registered model is installed; choose another --name"
        )
    return name


class _NoSchemeChange(urllib.request.HTTPRedirectHandler):
    """Follows a redirect only to http or https, and never from https down to http."""

    def http_error_302(self, req, fp, code, msg, headers):
        # checked here, before urllib's own scheme check, so every refusal reads the same
        location = headers.get("Location") or headers.get("URI") or ""
        self.check(req.full_url, urljoin(req.full_url, location))
        return super().http_error_302(req, fp, code, msg, headers)

    http_error_301 = http_error_303 = http_error_307 = http_error_308 = http_error_302

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        self.check(req.full_url, newurl)
        return super().redirect_request(req, fp, code, msg, headers, newurl)

    @staticmethod
    def check(old_url: str, new_url: str) -> None:
        old, new = urlsplit(old_url).scheme.lower(), urlsplit(new_url).scheme.lower()
        if new not in SCHEMES or (old == "https" and new != "https"):
            raise ModelError(
                f"{old_url} redirects to {new_url}: refused (only http or https, and never "
                "from https to http); nothing was installed"
            )


def _opener() -> urllib.request.OpenerDirector:
    # create_default_context() verifies certificates and host names against the system's store
    return urllib.request.build_opener(
        urllib.request.HTTPSHandler(context=ssl.create_default_context()), _NoSchemeChange()
    )


def _content_range(header: str | None) -> tuple[int | None, int | None]:
    """(first byte, total size) from `bytes 100-199/1000` or `bytes */1000`."""
    found = re.fullmatch(r"\s*bytes\s+(?:(\d+)-\d+|\*)/(\d+|\*)\s*", header or "")
    if not found:
        return None, None
    start = int(found.group(1)) if found.group(1) else None
    total = int(found.group(2)) if found.group(2) != "*" else None
    return start, total


def _megabytes(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB"


class _Progress:
    """'NAME: 40.1 MB of 253.1 MB (16 %)' on standard error, at most every PROGRESS_EVERY_S."""

    def __init__(self, name: str, stream=None):
        self.name = name
        self.stream = stream or sys.stderr
        self.shown_at = 0.0

    def __call__(self, done: int, total: int | None, *, final: bool = False) -> None:
        now = time.monotonic()
        if not final and now - self.shown_at < PROGRESS_EVERY_S:
            return
        self.shown_at = now
        share = f" ({done * 100 // total} %)" if total else ""
        of = f" of {_megabytes(total)}" if total else ""
        print(f"{self.name}: {_megabytes(done)}{of}{share}", file=self.stream, flush=True)


class _Part:
    """The `.part` file being written, locked against a second install of the same name, and what
    its bytes hash to so far. Its side record (`.part.json`) says which SHA-256 the bytes are meant
    to have and the server's validator (ETag or Last-Modified) for `If-Range`."""

    def __init__(self, path: Path, sha256: str):
        self.path = path
        self.record = path.with_name(path.name + ".json")
        self.sha256 = sha256
        self.fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(self.fd)
            raise ModelError(
                f"another `logsmith model install` is writing {path}; wait for it to finish"
            ) from None
        self.validator: str | None = None
        self.digest = hashlib.sha256()
        self.size = 0
        if self._resumable():
            self._hash_what_is_there()
        else:
            self.restart()

    def _resumable(self) -> bool:
        try:
            record = json.loads(self.record.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return False
        if not isinstance(record, dict) or record.get("sha256") != self.sha256:
            return False
        validator = record.get("validator")
        self.validator = validator if isinstance(validator, str) else None
        return os.fstat(self.fd).st_size > 0

    def _hash_what_is_there(self) -> None:
        os.lseek(self.fd, 0, os.SEEK_SET)
        while block := os.read(self.fd, BLOCK):
            self.digest.update(block)
            self.size += len(block)

    def restart(self) -> None:
        """Forget what was downloaded: the next byte written is the file's first."""
        os.ftruncate(self.fd, 0)
        os.lseek(self.fd, 0, os.SEEK_SET)
        self.digest, self.size, self.validator = hashlib.sha256(), 0, None
        self.record.unlink(missing_ok=True)

    def remember(self, validator: str | None) -> None:
        self.validator = validator
        self.record.write_text(
            json.dumps({"sha256": self.sha256, "validator": validator}), encoding="utf-8"
        )

    def write(self, block: bytes) -> None:
        view = memoryview(block)
        while view:
            written = os.write(self.fd, view)
            view = view[written:]
        self.digest.update(block)
        self.size += len(block)

    def first_bytes(self) -> bytes:
        return os.pread(self.fd, len(GGUF_MAGIC), 0)

    def finish(self, target: Path) -> None:
        """Make the verified file the model: flushed, world-readable, renamed into place."""
        os.fsync(self.fd)
        os.fchmod(self.fd, 0o644)
        os.replace(self.path, target)
        self.record.unlink(missing_ok=True)

    def discard(self) -> None:
        self.path.unlink(missing_ok=True)
        self.record.unlink(missing_ok=True)

    def close(self) -> None:
        os.close(self.fd)


def _open(url: str, part: _Part) -> http.client.HTTPResponse:
    """The server's answer for what `part` still lacks: 206 to continue it, or 200 for the whole
    file (after `part.restart()`). A 416 with the part's whole size means nothing is left: None."""
    request = urllib.request.Request(url, headers={"User-Agent": f"logsmith/{__version__}"})
    if part.size:
        request.add_header("Range", f"bytes={part.size}-")
        if part.validator:
            request.add_header("If-Range", part.validator)
    try:
        return _opener().open(request, timeout=TIMEOUT_S)
    except urllib.error.HTTPError as exc:
        if exc.code == 416 and part.size:
            _start, total = _content_range(exc.headers.get("Content-Range"))
            exc.close()
            if total == part.size:
                raise _Complete from None
            part.restart()
            return _open(url, part)
        raise ModelError(
            f"{url} answered {exc.code} {exc.reason}; check the address; nothing was installed"
        ) from None
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, ssl.SSLCertVerificationError):
            raise ModelError(
                f"{url}: the server's certificate is not trusted ({reason.verify_message}); "
                "nothing was installed"
            ) from None
        raise ModelError(f"cannot reach {url} ({reason}); nothing was installed") from None
    except (OSError, http.client.HTTPException) as exc:
        raise ModelError(f"cannot reach {url} ({exc}); nothing was installed") from None


class _Complete(Exception):
    """The part already holds the whole file (the server said there is nothing after it)."""


def _validator(response) -> str | None:
    """An ETag (strong only: If-Range needs one), else a Last-Modified date."""
    etag = response.headers.get("ETag")
    if etag and not etag.startswith("W/"):
        return etag
    return response.headers.get("Last-Modified")


def _receive(url: str, part: _Part, progress: Callable[..., None], report) -> None:
    """Fill `part` with the rest of the file."""
    try:
        response = _open(url, part)
    except _Complete:
        return
    with response:
        length = response.headers.get("Content-Length")
        remaining = int(length) if length and length.isdigit() else None
        if response.status == 206 and part.size:
            start, total = _content_range(response.headers.get("Content-Range"))
            if start != part.size:
                raise ModelError(
                    f"{url} sent bytes from {start}, not from {part.size} as asked; run the "
                    "command again (it starts over if this repeats, after deleting "
                    f"{part.path})"
                )
            report(f"resuming at {_megabytes(part.size)}")
        else:
            if part.size:
                report(
                    f"the server ignored the request to resume at {_megabytes(part.size)} "
                    "(or the file changed): downloading from the start"
                )
                part.restart()
            total = remaining
        part.remember(_validator(response))
        expected_end = part.size + remaining if remaining is not None else total
        try:
            while block := response.read(BLOCK):
                before = part.size
                part.write(block)
                if before < len(GGUF_MAGIC) <= part.size and part.first_bytes() != GGUF_MAGIC:
                    start_of_file = part.first_bytes()
                    part.discard()
                    raise ModelCorrupt(
                        f"{url} is not a GGUF file (it starts with {start_of_file!r}, not "
                        f"{GGUF_MAGIC!r}); nothing was installed"
                    )
                progress(part.size, total)
        except (OSError, http.client.HTTPException) as exc:
            raise _interrupted(url, part, total, exc) from None
        if expected_end is not None and part.size < expected_end:
            raise _interrupted(url, part, total, "the connection closed early")


def _interrupted(url: str, part: _Part, total: int | None, why) -> ModelError:
    os.fsync(part.fd)
    of = f" of {_megabytes(total)}" if total else ""
    return ModelError(
        f"the download from {url} stopped after {_megabytes(part.size)}{of} ({why}); "
        f"{part.path} keeps what arrived: run the same command again to resume"
    )


def install_from_url(
    url: str,
    sha256: str,
    name: str | None = None,
    *,
    report: Callable[[str], None] = lambda message: None,
    progress: Callable[..., None] | None = None,
) -> InstallResult:
    """Download the GGUF file at `url` as model `name` (default: the URL's file stem), verified
    against `sha256`; a no-op when that file is installed under that name already."""
    started = time.monotonic()
    url, sha256 = check_url(url), check_sha256(sha256)
    name = check_name(name or name_from_url(url))
    folder = models_dir()
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{name}.gguf"
    try:
        recorded = manifest.find(folder, name)
    except manifest.ManifestDamaged as exc:
        raise ModelError(str(exc)) from None
    if target.exists():
        if recorded is None:
            raise ModelError(
                f"{target} is there but was not installed from a URL; choose another --name, or "
                "remove the file"
            )
        if recorded.sha256 == sha256:
            try:
                verify(target, sha256)
                return InstallResult(target, True, (), time.monotonic() - started)
            except ModelCorrupt:
                report(f"{target} no longer matches its sha256; downloading it again")
        else:
            report(f"'{name}' was {recorded.sha256}; replacing it with {sha256}")
    progress = progress or _Progress(name)
    part = _Part(folder / f"{name}.gguf.part", sha256)
    try:
        _receive(url, part, progress, report)
        progress(part.size, part.size, final=True)
        actual = part.digest.hexdigest()
        if part.first_bytes() != GGUF_MAGIC:
            part.discard()
            raise ModelCorrupt(f"{url} is not a GGUF file; nothing was installed")
        if actual != sha256:
            part.discard()
            raise ModelCorrupt(
                f"the file from {url} has sha256 {actual}, not the expected {sha256}; "
                "it was deleted and nothing was installed"
            )
        part.finish(target)
    finally:
        if part.size == 0:  # nothing arrived: leave nothing behind
            part.discard()
        part.close()
    remember_verified(target, sha256)
    manifest.save(
        folder,
        manifest.UrlModel(
            name=name,
            file=target.name,
            url=recorded_url(url),
            sha256=sha256,
            size=target.stat().st_size,
            installed=datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        ),
    )
    return InstallResult(target, False, (url,), time.monotonic() - started)
