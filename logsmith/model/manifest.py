"""The models installed from a URL: which name is which file, where it came from, what it hashes to.

`logsmith model install --url URL --sha256 HEX --name NAME` records each model it installs in
`downloaded.json` beside the models (`$LOGSMITH_CACHE/models/`), private to the user (0600). The
registry reads it so that `model = "NAME"` loads the file and checks it against the recorded hash,
and `logsmith model list` shows the model with its URL and hash. Written atomically (a temporary
file in the same folder, then a rename); a record that is not this format is reported, never
guessed at.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

MANIFEST_FILE = "downloaded.json"
FORMAT = 1


class ManifestDamaged(ValueError):
    """The manifest is there but cannot be read as one; the message names the file and the fix."""


@dataclass(frozen=True)
class UrlModel:
    """One model installed from a URL."""

    name: str
    file: str
    """The file's name in the models folder: `<name>.gguf`."""
    url: str
    sha256: str
    size: int
    installed: str
    """When it was installed (ISO 8601, UTC)."""


def manifest_path(folder: Path) -> Path:
    return Path(folder) / MANIFEST_FILE


def load(folder: Path) -> dict[str, UrlModel]:
    """Every model the manifest in `folder` records, by name; empty when there is no manifest."""
    path = manifest_path(folder)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise ManifestDamaged(f"cannot read {path}: {exc.strerror or exc}") from exc
    fix = "remove it and install the models of `--url` again"
    try:
        record = json.loads(text)
    except ValueError as exc:
        raise ManifestDamaged(f"{path} is not JSON ({exc}); {fix}") from exc
    if not isinstance(record, dict) or record.get("format") != FORMAT:
        raise ManifestDamaged(f"{path} is not a format {FORMAT} model manifest; {fix}")
    models = record.get("models")
    if not isinstance(models, dict):
        raise ManifestDamaged(f"{path} has no `models` table; {fix}")
    found = {}
    for name, fields in models.items():
        try:
            found[name] = UrlModel(
                name=name,
                file=str(fields["file"]),
                url=str(fields["url"]),
                sha256=str(fields["sha256"]),
                size=int(fields["size"]),
                installed=str(fields["installed"]),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ManifestDamaged(f"{path}: the record of '{name}' is incomplete ({exc}); {fix}")
    return found


def find(folder: Path, name: str) -> UrlModel | None:
    return load(folder).get(name)


def save(folder: Path, model: UrlModel) -> None:
    """Add or replace `model`'s record, atomically; the file stays readable by the user only."""
    folder = Path(folder)
    models = load(folder)
    models[model.name] = model
    record = {
        "format": FORMAT,
        "models": {
            name: {key: value for key, value in asdict(entry).items() if key != "name"}
            for name, entry in sorted(models.items())
        },
    }
    handle = tempfile.NamedTemporaryFile(
        "w", dir=folder, prefix=f".{MANIFEST_FILE}.", suffix=".tmp", delete=False, encoding="utf-8"
    )
    temp = Path(handle.name)
    try:
        with handle:  # NamedTemporaryFile creates the file 0600
            json.dump(record, handle, indent=2, sort_keys=True)
            handle.write("\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, manifest_path(folder))
    finally:
        temp.unlink(missing_ok=True)
