"""Evaluation of logsmith against what developers really wrote: the corpus (`corpus`), the
benchmarks (`bench`), the fitters of the product's numbers (`fit`), the reports (`report`), the
independent safety checks (`checks`) and the metrics (`metrics`). `make eval` is `run`."""
