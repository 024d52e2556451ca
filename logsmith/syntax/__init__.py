"""Everything that touches tree-sitter: the parser and compiled queries, documents, the log site at
a cursor (with what is bound there: `flow`), how a function uses its names, a file's logging facts,
and the batch-mode rules that find where a statement is missing.

No module outside this package imports `tree_sitter`; this package imports only `vocabulary` of
logsmith.
"""
