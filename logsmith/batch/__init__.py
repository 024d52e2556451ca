"""Batch mode, `logsmith suggest PATH...`: find where a repository should log and does not, and
propose the statements, with the same engine as the editor, following the repository's own
statements.

logsmith.workspace.files (which files) -> project.py (each project's index of its log statements,
built once before the files are analysed) -> analyse.py (one file: sites.find_sites +
pipeline.suggest_insertion with the project index) run by runner.py (in order, `--jobs N`
processes, or on a Dask or Ray cluster: shards.py cuts the files into shards, cluster/ runs them)
-> changes.py (the new file content, checked) -> formats/ (text, diff, JSON Lines,
SARIF, review) and apply.py (safe writes) -> summary.py.
"""

from logsmith.batch.command import add_arguments, run

__all__ = ["add_arguments", "run"]
