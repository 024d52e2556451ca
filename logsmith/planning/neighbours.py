"""What the project's own logged sites most like this one say: the levels they use and the values
they log (read by `levels` and `variables`), asked of the project index with the fitted
`data/project_habits.json`."""

from __future__ import annotations

from pathlib import Path

from logsmith.planning.fitted import ProjectHabits, project_habits
from logsmith.planning.levels import NeighbourLevel, place_key
from logsmith.syntax.document import ParsedDocument
from logsmith.syntax.site import LogSite
from logsmith.workspace.index import ProjectIndex
from logsmith.workspace.retrieval import Neighbour, RetrievalWeights

HABITS: ProjectHabits = project_habits()


def neighbours_of(
    index: ProjectIndex | None,
    site: LogSite,
    document: ParsedDocument,
    path: str | Path | None,
    habits: ProjectHabits = HABITS,
) -> tuple[Neighbour, ...]:
    """The project's logged sites most like `site`, best first; none before the index is ready."""
    if index is None or index.state != "ready":
        return ()
    return tuple(
        index.neighbours(
            site, document, path, RetrievalWeights(**habits.retrieval), habits.neighbours
        )
    )


def level_sites(neighbours: tuple[Neighbour, ...]) -> tuple[NeighbourLevel, ...]:
    """What the level model reads of each neighbour."""
    return tuple(
        NeighbourLevel(
            n.statement.level,
            n.score,
            place_key(n.statement.kind, n.statement.in_except, n.statement.ending),
            n.near,
        )
        for n in neighbours
    )


def _last_attribute(text: str) -> str | None:
    return text.rsplit(".", 1)[1] if "." in text and not text.endswith(")") else None


def value_evidence(
    text: str, site: LogSite, neighbours: tuple[Neighbour, ...]
) -> tuple[float, float]:
    """(share of the neighbours that log `text` itself, share that log an attribute of the same
    name, such as `.name` of another object): how this project logs values like it."""
    if not neighbours:
        return 0.0, 0.0
    exact = attribute = 0
    last = _last_attribute(text)
    for neighbour in neighbours:
        statement = neighbour.statement
        values = set(statement.values)
        if text in values or (
            text == site.exception_name
            and statement.exception_name is not None
            and statement.exception_name in values
        ):
            exact += 1
        elif last is not None and any(_last_attribute(v) == last for v in values):
            attribute += 1
    return exact / len(neighbours), attribute / len(neighbours)


def described(neighbours: tuple[Neighbour, ...], shown: int = 3) -> str:
    """The neighbours followed, for the plan's explanation."""
    if not neighbours:
        return ""
    places = ", ".join(
        f"{n.statement.path}:{n.statement.line + 1} ({n.why})" for n in neighbours[:shown]
    )
    return f"Followed {len(neighbours)} logged sites of this project like this one: {places}."
