"""Everything that touches tree-sitter: parsers, compiled queries, documents, log sites and style facts.

No module outside this package imports `tree_sitter`.
"""
