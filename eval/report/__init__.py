"""The reports computed from the benchmarks' per-case rows (`rows`): the engine benchmark's
(`engine`), the adoption report's figures and Markdown (`adoption`), its HTML page (`html`), the
report files of a run folder (`files`), and the report in other languages (`languages`).
Everything is recomputable from the rows."""
