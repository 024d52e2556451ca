"""Which backend serves the configured model: the embedded worker process for a model name or
file, or an inference server for a URL (see `endpoint`); and how the audit trail names it.

Both have the same interface (`start`, `wait_ready`, `complete`, `warm`, `close`, `state`,
`model_id`, `last_error`, `on_progress`), so the engines never ask which one they hold.
"""

from __future__ import annotations

import os
from typing import Any

from logsmith.model import endpoint, registry
from logsmith.model.client import ModelWorker
from logsmith.model.remote import RemoteModel

Backend = ModelWorker | RemoteModel


def names_server(settings: Any) -> bool:
    """Whether the model in force (the setting, else LOGSMITH_MODEL) is a server URL."""
    return endpoint.names_server(
        getattr(settings, "model", None) or os.environ.get(registry.MODEL_ENV)
    )


def backend_for(settings: Any, **worker_options: Any) -> Backend:
    """The started backend of `settings`' model; `worker_options` go to a new embedded worker.
    Raises registry.ModelError (missing or corrupt model, a bad or disallowed server URL)."""
    wanted = getattr(settings, "model", None) or os.environ.get(registry.MODEL_ENV)
    if endpoint.names_server(wanted):
        from logsmith.model.remote import get_remote

        assert wanted is not None
        return get_remote(endpoint.parse(wanted))
    from logsmith.model.client import get_worker

    return get_worker(registry.resolve(settings), **worker_options)


def description(backend: Backend | None) -> dict[str, str | None]:
    """What the audit trail records about the backend: `backend` (embedded, llama-server or
    openai), `server_model` (the model a server says it serves) and `route` (local or remote)."""
    if isinstance(backend, RemoteModel):
        return {"backend": backend.backend, "server_model": backend.server_model, "route": "remote"}
    return {"backend": "embedded", "server_model": None, "route": "local"}
