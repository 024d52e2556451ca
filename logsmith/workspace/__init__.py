"""The workspace: which files belong to a project (`files`, `ignore_patterns`) and how the
project logs (`statements` read from each file, `index` kept for the whole folder and on disk by
`store`, `retrieval` of the logged sites most like a new one).

Imports `syntax`, `settings` and `model.registry` (for the cache folder); never `planning`,
`engines`, `server` or `batch`, which read it.
"""
