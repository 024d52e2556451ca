"""A `model` setting that names an inference server instead of a model file: its URL and the
dialect it speaks.

`http://host:port` and `https://host:port` (optionally with a path prefix, e.g.
`https://host/team/v1`) name a server whose dialect is found on connect: llama.cpp's
`llama-server` answers `GET /props`, any other server is asked `GET /v1/models` as an
OpenAI-compatible one. A prefix forces the dialect: `llama-server+http://...` or
`openai+https://...`. A URL with a user name or password in it, a query or a fragment is refused:
the API key comes from the user's environment only (see `server_trust`).
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from typing import Literal, cast
from urllib.parse import urlsplit

from logsmith.model.registry import ModelError

Dialect = Literal["llama-server", "openai"]
DIALECTS: tuple[Dialect, ...] = ("llama-server", "openai")
_SERVER_VALUE = re.compile(r"^\s*(?:(llama-server|openai)\+)?(https?)://", re.IGNORECASE)


class EndpointError(ModelError):
    """A server URL that cannot be used as written; the message says why."""


def names_server(value: str | None) -> bool:
    """Whether a `model` value names a server (an http(s) URL, maybe with a dialect prefix)."""
    return bool(value) and _SERVER_VALUE.match(value or "") is not None


@dataclass(frozen=True)
class Endpoint:
    """A server as the user named it: `base` is its URL without the dialect prefix and without a
    trailing slash; `dialect` is None when it is detected on connect."""

    base: str
    scheme: str
    host: str
    port: int
    dialect: Dialect | None = None

    @property
    def origin(self) -> str:
        """scheme://host:port, the unit the trust rule allows (the port always written)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.scheme}://{host}:{self.port}"

    @property
    def loopback(self) -> bool:
        """The server runs on this machine (localhost, 127.0.0.0/8 or ::1): nothing leaves it."""
        if self.host.lower() == "localhost":
            return True
        try:
            return ipaddress.ip_address(self.host).is_loopback
        except ValueError:
            return False

    def __str__(self) -> str:
        return self.base


def parse(value: str) -> Endpoint:
    """The server named by `value`; EndpointError when it is not a usable http(s) URL."""
    text = value.strip()
    match = _SERVER_VALUE.match(text)
    if match is None:
        raise EndpointError(f"'{value}' is not an http:// or https:// URL")
    dialect = cast(Dialect, match.group(1).lower()) if match.group(1) else None
    url = text[len(match.group(1)) + 1 :] if match.group(1) else text
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise EndpointError(f"server URL '{value}' cannot be read: {exc}") from None
    if parts.username is not None or parts.password is not None:
        raise EndpointError(
            f"server URL '{value}' carries a user name or password; give the key in "
            "LOGSMITH_API_KEY or LOGSMITH_API_KEY_FILE instead"
        )
    if parts.query or parts.fragment:
        raise EndpointError(f"server URL '{value}' has a query or a fragment; give only the base")
    if not parts.hostname:
        raise EndpointError(f"server URL '{value}' names no host")
    scheme = parts.scheme.lower()
    if port is None:
        port = 443 if scheme == "https" else 80
    host = parts.hostname
    netloc = f"[{host}]" if ":" in host else host
    base = f"{scheme}://{netloc}:{port}{parts.path.rstrip('/')}"
    return Endpoint(base=base, scheme=scheme, host=host, port=port, dialect=dialect)
