"""Counts of a run (files, sites, suggestions by rule, level and source, time) and the project index
it followed, printed at the end and put at the top of the review document, so both say the same
thing.

Which engine wrote the statements is part of it: the model, a statement of the project adapted at
the site (`neighbour`) or the template engine. When a model was configured, every statement one of
the other two wrote instead is counted under the reason the suggestion's notes give (no time left
for the model, the model not ready, ...), and the text says how to give the model more time
(`--budget-ms`, the batch budget per statement).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from logsmith.batch.results import ADAPTED_NOTE, OUTRANKED_NOTE, FileResult
from logsmith.suggestion import INSTANT_SOURCES, Suggestion
from logsmith.syntax.batch_rules import RULES

if TYPE_CHECKING:
    from logsmith.batch.burst import Burst
    from logsmith.batch.project import IndexUse

TEMPLATE = "template"
NEIGHBOUR = "neighbour"
SOURCE_LABELS = {NEIGHBOUR: "a statement of this project, adapted"}
"""What a source name alone would not say, shown next to it."""
ENGINE_NAMES = {NEIGHBOUR: "adapted statements of this project", TEMPLATE: "the template engine"}
"""The same, in the sentence that says who wrote how many statements."""
BATCH_BUDGET_MS = 10_000
"""The model's default budget per statement in batch mode (`--budget-ms`)."""
OUT_OF_TIME = "no time left for the model"
"""The reason that more time (`--budget-ms`) would have changed."""

# A note of a template or neighbour suggestion -> the reason the model did not write it, first
# match wins. The notes come from logsmith.engines.model_engine and logsmith.pipeline; a note none
# of these patterns knows but that names the model still counts, under its own first words.
_REASONS: tuple[tuple[re.Pattern, str], ...] = (
    (re.compile(r"^no time left for the model|^model ran out of time"), OUT_OF_TIME),
    (
        re.compile(r"\bserver at (\S+) is unreachable"),
        "the inference server {0} was unreachable (start it, or change `model`)",
    ),
    (re.compile(r"^model failed: (\S+) server: "), "the {0} server failed"),
    (re.compile(r"^model failed: model \S+ is still loading"), "the model was not ready (loading)"),
    (re.compile(r"^model failed: model \S+ is not running"), "the model was not ready (stopped)"),
    (
        re.compile(r"^model failed: .*\b(busy|late|still finishing)\b"),
        "the model was busy or late (is the machine busy?)",
    ),
    (re.compile(r"^model \S+ is (stopped|loading|failed)\b"), "the model was not ready ({0})"),
    (re.compile(r"^model failed"), "the model failed"),
    (
        re.compile(r"^model gave no usable message"),
        "the model gave no usable message (one word, or an unfinished call)",
    ),
    (re.compile(r"^model was cancelled"), "the model was cancelled"),
    (re.compile(r"^model (statement|message) rejected"), "the model's statement failed the checks"),
    (re.compile(r"^file larger than \d+ bytes"), "the file is larger than max_file_bytes"),
    (
        re.compile("^" + re.escape(OUTRANKED_NOTE)),
        "its statement was ranked after the project's statement adapted",
    ),
)
_NEEDED = re.compile(r"takes it about (\d+(?:\.\d+)?) s")


def _engine_order(source: str) -> tuple[int, str]:
    order = list(ENGINE_NAMES)
    return (order.index(source) if source in order else len(order), source)


def labelled(source: str) -> str:
    """A source as the summary and the review show it: `neighbour (a statement of this project,
    adapted)`; a model's id as it is."""
    return f"{source} ({SOURCE_LABELS[source]})" if source in SOURCE_LABELS else source


def _reason_and_note(suggestion: Suggestion) -> tuple[str, str] | None:
    if suggestion.by_model:
        return None
    for note in suggestion.notes:
        for pattern, reason in _REASONS:
            found = pattern.search(note)
            if found:
                return reason.format(*found.groups()), note
    for note in suggestion.notes:
        if note.startswith(ADAPTED_NOTE):
            continue  # quotes a statement of the project, whose words may name a model
        if re.search(r"\bmodel\b", note, re.I):
            return f"the model could not be used ({note.split(':')[0].strip()})", note
    return None


def model_skip_reason(suggestion: Suggestion) -> str | None:
    """Why the template engine or a neighbour, not the model, wrote `suggestion`, from its notes;
    None when the model wrote it or was never asked (`--no-model`, `use_model = false`)."""
    found = _reason_and_note(suggestion)
    return found[0] if found else None


def _needed_seconds(suggestion: Suggestion) -> float | None:
    """How long the model said this site would have taken, when its note says so."""
    for note in suggestion.notes:
        found = _NEEDED.search(note)
        if found:
            return float(found.group(1))
    return None


@dataclass
class Summary:
    """The counts of one batch run, computed from its file results by `Summary.of`."""

    files: int = 0
    """Files analysed."""
    skipped: list[tuple[str, str]] = field(default_factory=list)
    """(path, reason) of files not analysed."""
    sites: int = 0
    suggestions: int = 0
    files_with_suggestions: int = 0
    by_rule: Counter = field(default_factory=Counter)
    by_level: Counter = field(default_factory=Counter)
    by_source: Counter = field(default_factory=Counter)
    by_language: Counter = field(default_factory=Counter)
    """Suggestions per file language (`python`, `go`, ...)."""
    not_by_model: Counter = field(default_factory=Counter)
    """Statements another engine wrote although a model was configured: reason -> count."""
    not_by_model_sources: Counter = field(default_factory=Counter)
    """The same statements: engine (`template`, `neighbour`) -> count."""
    reason_notes: dict[str, str] = field(default_factory=dict)
    """The first note behind each reason, when it says more than the reason (what failed)."""
    needed_seconds: float | None = None
    """The longest time the model said a site it had no time for would have taken
    (from the notes)."""
    model: str | None = None
    """The configured model's id; None when the run was template only."""
    budget_ms: int | None = None
    """The model's budget per statement (`--budget-ms`)."""
    jobs: int = 1
    notes: int = 0
    seconds: float = 0.0
    test_files: int = 0
    """Test files left out by default (--include-tests reads them)."""
    written: int = 0
    not_written: list[tuple[str, str]] = field(default_factory=list)
    indexes: list[IndexUse] = field(default_factory=list)
    """The project index of each project of the run (logsmith.batch.project)."""
    cluster: list[str] = field(default_factory=list)
    """With --executor dask|ray: where the run went (or why it ran locally), its workers, the
    shards retried or lost (logsmith.batch.runner.run_on_cluster)."""
    burst: Burst | None = None
    """What asking the stronger model after the pass did (None: no `escalate_to`)."""

    @classmethod
    def of(
        cls,
        results: list[FileResult],
        skipped_before=(),
        seconds: float = 0.0,
        *,
        model: str | None = None,
        budget_ms: int | None = None,
        jobs: int = 1,
    ) -> Summary:
        summary = cls(
            seconds=seconds,
            skipped=list(skipped_before),
            model=model,
            budget_ms=budget_ms,
            jobs=jobs,
        )
        for result in results:
            if result.skipped is not None:  # not analysed
                summary.skipped.append((result.display, result.skipped))
                continue
            summary.files += 1
            summary.sites += result.sites
            summary.notes += len(result.notes)
            if result.proposals:
                summary.files_with_suggestions += 1
            for proposal in result.proposals:
                suggestion = proposal.suggestion
                summary.suggestions += 1
                summary.by_rule[proposal.finding.rule] += 1
                summary.by_level[suggestion.level] += 1
                summary.by_source[suggestion.source] += 1
                summary.by_language[result.language] += 1
                found = _reason_and_note(suggestion)
                if found is not None:
                    reason, note = found
                    summary.not_by_model[reason] += 1
                    summary.not_by_model_sources[suggestion.source] += 1
                    if reason != OUT_OF_TIME and ":" in note:  # the hint says what time would help
                        summary.reason_notes.setdefault(reason, note)
                    needed = _needed_seconds(suggestion) if reason == OUT_OF_TIME else None
                    if needed is not None:
                        summary.needed_seconds = max(needed, summary.needed_seconds or 0.0)
        return summary

    @property
    def files_per_second(self) -> float:
        return (self.files + len(self.skipped)) / self.seconds if self.seconds > 0 else 0.0

    def rule_rows(self) -> list[tuple[str, int]]:
        return [(rule, self.by_rule[rule]) for rule in RULES if self.by_rule[rule]]

    def reason_rows(self) -> list[tuple[str, int]]:
        """Why the model did not write statements, most frequent first."""
        return sorted(self.not_by_model.items(), key=lambda item: (-item[1], item[0]))

    @property
    def by_models(self) -> list[tuple[str, int]]:
        """(model id, statements it wrote), for every model that wrote any."""
        return sorted(
            (source, count)
            for source, count in self.by_source.items()
            if source not in INSTANT_SOURCES
        )

    def written_by(self) -> str:
        """Which engines wrote the statements, e.g. `the model gemma-3-270m for 21, adapted
        statements of this project for 2 and the template engine for 1 of the 24 statements (the
        model gemma-3-270m did not write 3: no time left for the model 3)`."""
        if not self.suggestions:
            return "no statements"
        engines = [(f"the model {source}", count) for source, count in self.by_models]
        for source in sorted(INSTANT_SOURCES, key=_engine_order):
            if self.by_source[source]:
                engines.append((ENGINE_NAMES.get(source, source), self.by_source[source]))
        noun = "statement" if self.suggestions == 1 else "statements"
        if len(engines) == 1:
            text = f"{engines[0][0]} for " + (
                "the one statement" if self.suggestions == 1 else f"all {self.suggestions} {noun}"
            )
        else:
            named = [f"{name} for {count}" for name, count in engines]
            text = ", ".join(named[:-1]) + f" and {named[-1]} of the {self.suggestions} {noun}"
        missed = sum(self.not_by_model.values())
        if missed:
            model = f"the model {self.model}" if self.model else "the model"
            did = "wrote none" if missed == self.suggestions else f"did not write {missed}"
            text += (
                f" ({model} {did}: "
                + ", ".join(f"{reason} {count}" for reason, count in self.reason_rows())
                + ")"
            )
        elif not self.by_models and self.model is None:
            text += " (no model was used)"
        return text

    def more_time_hint(self) -> str | None:
        """How to give the model more time, when it ran out of it; None otherwise."""
        if not self.not_by_model[OUT_OF_TIME]:
            return None
        budget = self.budget_ms or BATCH_BUDGET_MS
        wanted = max(
            2 * budget, BATCH_BUDGET_MS, math.ceil((self.needed_seconds or 0) * 1.25) * 1000
        )
        wanted = math.ceil(wanted / 1000) * 1000
        said = [f"this run: {budget} ms a statement"]
        if self.needed_seconds:
            said.append(f"the slowest site needed about {self.needed_seconds:.1f} s")
        hint = f"give the model more time with --budget-ms {wanted} ({'; '.join(said)})"
        if self.jobs > 1:
            hint += (
                f", or run fewer --jobs "
                f"(each of the {self.jobs} processes has a share of the cores)"
            )
        return hint

    def index_lines(self) -> list[str]:
        """What each project index held, e.g. `project index: 212 log statements in 40 files,
        built in 0.3 s (38 files from the cache)` (its root named when the run read several
        projects)."""
        if len(self.indexes) == 1:
            return [f"project index: {self.indexes[0].text}"]
        return [f"project index of {use.root}: {use.text}" for use in self.indexes]

    def text(self) -> str:
        """A few lines for the terminal."""
        lines = [
            f"logsmith: {self.files} files analysed, {len(self.skipped)} skipped, "
            f"{self.sites} sites, {self.suggestions} suggestions in {self.files_with_suggestions} "
            f"files, {self.seconds:.1f} s "
            f"({self.files_per_second:.{0 if self.files_per_second >= 10 else 1}f} files/s)"
        ]
        lines.extend(f"  {line}" for line in self.index_lines())
        lines.extend(f"  cluster: {line}" for line in self.cluster)
        if self.suggestions:
            lines.append(
                "  by rule:   " + ", ".join(f"{rule} {count}" for rule, count in self.rule_rows())
            )
            lines.append(
                "  by level:  "
                + ", ".join(f"{level} {count}" for level, count in sorted(self.by_level.items()))
            )
            lines.append(
                "  by source: "
                + ", ".join(
                    f"{labelled(source)} {count}"
                    for source, count in sorted(self.by_source.items())
                )
            )
            if set(self.by_language) != {"python"}:  # said once a run reads other languages
                lines.append(
                    "  by language: "
                    + ", ".join(f"{name} {n}" for name, n in sorted(self.by_language.items()))
                )
        missed = sum(self.not_by_model.values())
        if missed:
            model = f"the model {self.model}" if self.model else "the model"
            did = "wrote none" if missed == self.suggestions else f"did not write {missed}"
            instead = " and ".join(
                ENGINE_NAMES.get(source, source)
                for source in sorted(self.not_by_model_sources, key=_engine_order)
            )
            lines.append(
                f"  {model} {did} of the {self.suggestions} statements; {instead} did, because:"
            )
            width = len(str(max(self.not_by_model.values())))
            for reason, count in self.reason_rows():
                lines.append(f"    {count:>{width}}  {reason}")
                if reason in self.reason_notes:
                    lines.append(f"    {'':>{width}}  (first note: {self.reason_notes[reason]})")
            hint = self.more_time_hint()
            if hint:
                lines.append(f"  {hint}")
        if self.burst is not None:
            lines.append(f"  {self.burst.text()}")
        if self.test_files:
            lines.append(f"  {self.test_files} test files left out (--include-tests to read them)")
        for path, reason in self.skipped[:20]:
            lines.append(f"  {path}: {reason}")
        if len(self.skipped) > 20:
            lines.append(f"  ... and {len(self.skipped) - 20} more skipped files")
        if self.written or self.not_written:
            lines.append(
                f"  applied: {self.written} files written, {len(self.not_written)} not written"
            )
            for path, reason in self.not_written:
                lines.append(f"  {path}: {reason}")
        return "\n".join(lines)
