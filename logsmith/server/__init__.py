"""The logsmith language server (pygls): documents, completion, inline completion, code actions,
the audit trail, the workspace's project index (`project`).

`logsmith serve` starts it (see `logsmith.server.main`);
`logsmith.server.app.create_server` builds it.
"""
