"""The file's own statement nearest a site like this one, offered again as it stands: developers
log the same way at the same kind of site of one function (the same error returned twice, two
branches of one switch), and the words they chose there beat any that are guessed.

A statement qualifies when it sits in the same function (of the same class: two classes' `close`
are two functions) at a site of the same kind, is written on one line and reads only names bound
at the new site; the nearest by lines wins. Nothing is asked
of the model: the candidate is there at once, and the pipeline's checks still apply to it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from logsmith.idioms.contract import LoggedCall
from logsmith.syntax.site import LogSite


def nearest_alike(
    site: LogSite,
    calls: Iterable[LoggedCall],
    reads_only_bound: Callable[[str], bool],
) -> LoggedCall | None:
    """The one-line statement of `calls` nearest `site` in the same function at a site of the
    same kind whose names `reads_only_bound` accepts; None without one, or when the user has
    started typing on the line (their words lead)."""
    if site.function is None or not site.typed.is_empty:
        return None
    alike = sorted(
        (
            call
            for call in calls
            if call.function == site.function.name
            and call.owner == site.function.class_name
            and call.site_kind == site.kind
            and call.start_line == call.end_line
            and "\n" not in call.text
            and not call.start_line <= site.line <= call.end_line
        ),
        key=lambda call: abs(call.start_line - site.line),
    )
    return next((call for call in alike if reads_only_bound(call.text)), None)
