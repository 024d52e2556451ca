"""Running batch work on a Dask or Ray cluster (`logsmith suggest --executor dask|ray`).

What is run is the caller's: a list of picklable items, a picklable `work(item)` that each worker
calls, and a `prepare()` that each worker calls once before its first item (loading the model).
This package knows how to start or reach a cluster, hand the items out, retry an item once when its
worker fails or is lost, and say what happened (`outcome.py`); it knows nothing of files or
statements. `dask_executor.py` and `ray_executor.py` import their engine, and are themselves
imported only when that engine is asked for (never by `--executor local`, never by the language
server).
"""

from logsmith.batch.cluster.outcome import (
    ENGINES,
    ClusterReport,
    ClusterUnavailable,
    Outcome,
    run_items,
)

__all__ = ["ENGINES", "ClusterReport", "ClusterUnavailable", "Outcome", "run_items"]
