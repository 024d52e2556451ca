"""Batch mode, `logsmith suggest PATH...`: find where a repository should log and does not, and
propose the statements, with the same engine as the editor.

logsmith.workspace.files (which files) -> analyse.py (one file: sites.find_sites +
pipeline.suggest_insertion) run by runner.py (in order, `--jobs N` processes) -> changes.py (the
new file content, checked) -> formats/ (text, diff, JSON Lines, SARIF, review) and apply.py (safe
writes) -> summary.py.
"""

from logsmith.batch.command import add_arguments, run

__all__ = ["add_arguments", "run"]
