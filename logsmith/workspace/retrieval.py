"""Which logged sites of the project are most like a site: same function and class first, then
sites whose surrounding code shares words (BM25 over identifiers and their words), with a bonus
for the same kind of site and the same handled exception.

The weights are fitted numbers (`logsmith/planning/data/project_habits.json`).
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from logsmith.workspace.statements import LoggedStatement

BM25_K1 = 1.2
BM25_B = 0.75


@dataclass(frozen=True)
class SiteQuery:
    """What retrieval knows of the site a statement is wanted at."""

    path: str | None
    function: str | None
    class_name: str | None
    kind: str
    in_except: bool
    exception_types: tuple[str, ...]
    context: tuple[str, ...]


@dataclass(frozen=True)
class RetrievalWeights:
    """How much each kind of likeness adds to the lexical score."""

    same_function: float = 6.0
    same_class: float = 2.0
    same_file: float = 1.0
    same_kind: float = 1.5
    same_handler: float = 1.5
    same_exception: float = 1.5


@dataclass(frozen=True)
class Neighbour:
    """A logged site like the query's, with its score and why it was picked."""

    statement: LoggedStatement
    score: float
    why: str
    near: str = ""
    """`function` when it sits in the query's function, `class` in its class, else empty."""


class Lexicon:
    """BM25 over the context words of a fixed list of statements (a snapshot: a changed project
    builds a new one)."""

    def __init__(self, statements: Iterable[LoggedStatement]):
        self.statements = list(statements)
        self.postings: dict[str, list[tuple[int, int]]] = defaultdict(list)
        self.by_path: dict[str, list[int]] = defaultdict(list)
        self.by_class: dict[str, list[int]] = defaultdict(list)
        lengths = []
        for number, statement in enumerate(self.statements):
            counts = Counter(statement.context)
            lengths.append(sum(counts.values()))
            for word, count in counts.items():
                self.postings[word].append((number, count))
            self.by_path[statement.path].append(number)
            if statement.class_name:
                self.by_class[statement.class_name].append(number)
        self.lengths = lengths
        self.average = (sum(lengths) / len(lengths)) if lengths else 1.0
        total = max(len(self.statements), 1)
        self.idf = {
            word: math.log(1 + (total - len(found) + 0.5) / (len(found) + 0.5))
            for word, found in self.postings.items()
        }

    def __len__(self) -> int:
        return len(self.statements)

    def term(self, count: int, length: int) -> float:
        """BM25's weight of a word seen `count` times in a context of `length` words."""
        norm = BM25_K1 * (1 - BM25_B + BM25_B * length / self.average)
        return count * (BM25_K1 + 1) / (count + norm)

    def lexical(self, words: Iterable[str]) -> dict[int, float]:
        """BM25 score of each statement sharing a word with `words`."""
        scores: dict[int, float] = defaultdict(float)
        for word in set(words):
            idf = self.idf.get(word)
            if idf is None:
                continue
            for number, count in self.postings[word]:
                scores[number] += idf * self.term(count, self.lengths[number])
        return scores

    def lexical_of(self, statement: LoggedStatement, words: Iterable[str]) -> float:
        """BM25 score of a statement outside the snapshot (an open document's), with the
        snapshot's word weights."""
        counts = Counter(statement.context)
        length = sum(counts.values())
        unseen = math.log(1 + (len(self.statements) + 0.5) / 0.5)
        return sum(
            self.idf.get(word, unseen) * self.term(counts[word], length)
            for word in set(words)
            if counts.get(word)
        )


def _bonus(
    query: SiteQuery, statement: LoggedStatement, weights: RetrievalWeights
) -> tuple[float, list[str], str]:
    bonus, why, near = 0.0, [], ""
    same_file = query.path is not None and statement.path == query.path
    same_class = query.class_name is not None and statement.class_name == query.class_name
    if (
        query.function is not None
        and statement.function == query.function
        and (same_file or same_class)
    ):
        bonus += weights.same_function
        why.append(f"same function `{query.function}`")
        near = "function"
    elif same_class:
        bonus += weights.same_class
        why.append(f"same class `{query.class_name}`")
        near = "class"
    if same_file:
        bonus += weights.same_file
    if statement.kind == query.kind:
        bonus += weights.same_kind
    if query.in_except and statement.in_except:
        bonus += weights.same_handler
        shared = set(query.exception_types) & set(statement.exception_types)
        if shared:
            bonus += weights.same_exception
            why.append(f"also handles {sorted(shared)[0]}")
    return bonus, why, near


def nearest(
    query: SiteQuery,
    lexicon: Lexicon,
    weights: RetrievalWeights,
    limit: int,
    open_statements: Iterable[LoggedStatement] = (),
    leave_out: frozenset[str] = frozenset(),
) -> list[Neighbour]:
    """The `limit` statements most like `query`, best first: of the snapshot `lexicon`, except the
    files in `leave_out`, and of `open_statements` (the open documents' own, which stand for those
    files)."""
    lexical = lexicon.lexical(query.context)
    numbers = set(lexical)
    if query.path is not None:
        numbers.update(lexicon.by_path.get(query.path, ()))
    if query.class_name is not None:
        numbers.update(lexicon.by_class.get(query.class_name, ()))
    scored: list[tuple[float, str, int, LoggedStatement, list[str], str]] = []
    for number in numbers:
        statement = lexicon.statements[number]
        if statement.path in leave_out:
            continue
        bonus, why, near = _bonus(query, statement, weights)
        scored.append(
            (lexical.get(number, 0.0) + bonus, statement.path, statement.line, statement, why, near)
        )
    for statement in open_statements:
        bonus, why, near = _bonus(query, statement, weights)
        score = lexicon.lexical_of(statement, query.context) + bonus
        scored.append((score, statement.path, statement.line, statement, why, near))
    scored.sort(key=lambda item: (-item[0], item[1], item[2]))
    return [
        Neighbour(statement, score, "; ".join(why) or "similar code around it", near)
        for score, _, _, statement, why, near in scored[:limit]
        if score > 0
    ]
