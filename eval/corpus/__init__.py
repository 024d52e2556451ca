"""The corpus of developer-written log statements: the pinned projects (`projects.toml`), their
sources fetched with pip (`sources`), the cases (`cases.jsonl`, built and masked by `build`), and a
case read at its masked site as `logsmith.suggest` reads it (`reading`); the same in Java, Go,
JavaScript and TypeScript: the projects pinned in Debian and npm (`languages.toml`), fetched with
apt-get and npm (`foreign_sources`), their cases (`languages-cases.jsonl`, built by
`build_languages` with each language's reader)."""
