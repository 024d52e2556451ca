"""Evaluation of logsmith: the corpus of real log statements, the metrics, and the benchmarks that use them."""
