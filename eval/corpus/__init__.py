"""The corpus of developer-written log statements: the pinned projects (`projects.toml`), their
sources fetched with pip (`sources`), the cases (`cases.jsonl`, built and masked by `build`), and a
case read at its masked site as `logsmith.suggest` reads it (`reading`)."""
