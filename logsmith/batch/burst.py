"""After the local pass over every file: the statements the local model was least sure of, asked
again of the stronger model (`escalate_to`) in one burst.

The per-file pass never calls the stronger model; each statement the local model wrote carries its
confidence (`Suggestion.confidence`). Here the lowest-confidence `escalate_percent` % of them are
asked of the stronger model side by side (a few threads: a server has slots), each within the
user's daily remote-token budget; a proposal is replaced when the stronger model's statement
passes the checks (route `remote`, with the reason), and kept, with a note saying why, when it
does not or the server fails. Runs in the process that collected the results, after the pass,
whatever `--jobs` or executor ran it.
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from logsmith.batch.analyse import Task, proposal_for
from logsmith.batch.project import open_index
from logsmith.batch.results import FileResult, Proposal
from logsmith.batch.source_file import header_lines
from logsmith.pipeline import insertion_stages
from logsmith.settings import Settings
from logsmith.syntax.document import ParsedDocument

WORKERS = 4
"""Requests to the stronger model in flight at once."""
CONNECT_TIMEOUT_S = 60.0
"""How long the stronger model's server may take to say it is ready before the burst gives up."""


@dataclass
class Burst:
    """What the burst did, for the summary."""

    target: str | None = None
    model_written: int = 0
    """Statements the local model wrote in the pass (the pool the lowest share is taken from)."""
    escalated: int = 0
    """Of those, asked of the stronger model."""
    replaced: int = 0
    """Replaced by the stronger model's different statement."""
    same: int = 0
    """The stronger model wrote the same statement."""
    kept: Counter = field(default_factory=Counter)
    """Local statements kept although escalated: reason -> count."""
    over_budget: int = 0
    """Not asked: the daily remote budget was spent."""
    tokens: int = 0
    """Remote prompt and answer tokens spent."""
    seconds: float = 0.0

    def text(self) -> str:
        """One line for the summary."""
        line = (
            f"escalated {self.escalated} of the {self.model_written} statements the local model "
            f"wrote to {self.target}: {self.replaced} replaced, {self.same} the same, "
            f"{sum(self.kept.values())} kept; {self.tokens} remote tokens in {self.seconds:.1f} s"
        )
        if self.over_budget:
            line += f"; {self.over_budget} not asked: the daily remote budget was spent"
        for reason, count in sorted(self.kept.items(), key=lambda item: (-item[1], item[0])):
            line += f"\n    {count}  kept the local statement: {reason}"
        return line


@dataclass(frozen=True)
class _Site:
    result: int
    proposal: int
    confidence: float


def chosen(results: list[FileResult], percent: int) -> tuple[list[_Site], int]:
    """The lowest-confidence `percent` % of the proposals the local model wrote (at least one when
    the share is above 0 and there are any), and how many it wrote."""
    written = [
        _Site(r, p, proposal.suggestion.confidence)
        for r, result in enumerate(results)
        for p, proposal in enumerate(result.proposals)
        if proposal.suggestion.route == "local" and proposal.suggestion.confidence is not None
    ]
    count = min(len(written), math.ceil(len(written) * percent / 100))
    return sorted(written, key=lambda site: site.confidence)[:count], len(written)


def escalate(
    results: list[FileResult], settings_of: dict[str, Settings], budget_ms: int
) -> tuple[list[FileResult], Burst | None]:
    """`results` with the weakest local statements replaced by the stronger model's, and what was
    done; (results, None) when no project of the run sets `escalate_to`. `settings_of`: each
    project root's settings; `budget_ms`: the stronger model's time per statement."""
    targets = {s.escalate_to for s in settings_of.values() if s.escalate_to is not None}
    if not targets:
        return results, None
    started = time.perf_counter()
    settings = next(s for s in settings_of.values() if s.escalate_to is not None)
    sites, written = chosen(results, settings.escalate_percent)
    burst = Burst(", ".join(sorted(targets)), written)
    if not sites:
        return results, burst
    from logsmith.routing.escalation import escalator, remote_settings

    routing = escalator()
    try:
        from logsmith.engines import model_engine

        model_engine.worker_for(remote_settings(settings).replace(use_model=True)).wait_ready(
            CONNECT_TIMEOUT_S
        )
    except Exception:  # the model engine says why at each site
        pass
    budget = routing.budget(settings)
    proposals = {(site.result, site.proposal): site for site in sites}

    def ask(site: _Site) -> tuple[_Site, Proposal | None, str, int]:
        result = results[site.result]
        project = settings_of.get(result.root, settings)
        if not budget.allows():
            return site, None, "budget", 0
        return (site, *_ask_one(result, site, project, budget_ms, written))

    replaced: dict[tuple[int, int], Proposal] = {}
    with ThreadPoolExecutor(WORKERS, "logsmith-burst") as pool:
        for site, proposal, outcome, tokens in pool.map(ask, proposals.values()):
            burst.tokens += tokens
            if outcome == "budget":
                burst.over_budget += 1
                continue
            burst.escalated += 1
            if proposal is None:
                burst.kept[outcome] += 1
                replaced[(site.result, site.proposal)] = _kept(
                    results[site.result].proposals[site.proposal], site, outcome
                )
            elif outcome == "same":
                burst.same += 1
                replaced[(site.result, site.proposal)] = proposal
            else:
                burst.replaced += 1
                replaced[(site.result, site.proposal)] = proposal
    burst.seconds = time.perf_counter() - started
    updated = [
        dataclasses.replace(
            result,
            proposals=tuple(
                replaced.get((r, p), proposal) for p, proposal in enumerate(result.proposals)
            ),
        )
        if any(key[0] == r for key in replaced)
        else result
        for r, result in enumerate(results)
    ]
    return updated, burst


def _ask_one(
    result: FileResult, site: _Site, settings: Settings, budget_ms: int, written: int
) -> tuple[Proposal | None, str, int]:
    """The stronger model's proposal at one site (None, and why, when the local one stays), and the
    tokens it spent."""
    from logsmith.routing.escalation import escalator, remote_settings

    local = result.proposals[site.proposal]
    if result.source is None:
        return None, "the file could not be read again", 0
    text = result.source.analysis_text
    remote = remote_settings(settings).replace(latency_budget_ms=budget_ms, use_model=True)
    index = open_index(result.root, settings) if result.language == "python" else None
    started = time.perf_counter()
    try:
        made = insertion_stages(
            text,
            local.finding.line,
            path=result.path,
            settings=remote,
            document=ParsedDocument(text, result.language),
            project=index,
            language=result.language,
        )
    except Exception as exc:  # an engine bug must not lose the local statement
        return None, f"the engine failed ({type(exc).__name__})", 0
    outcome = made.written.model if made.written is not None else None
    tokens = 0
    if outcome is not None:
        escalator().record(settings, outcome, time.perf_counter() - started)
        if outcome.completion is not None:
            tokens = outcome.completion.evaluated_tokens + outcome.completion.tokens
    stronger = next((s for s in made.suggestions if s.by_model and s.route != "neighbour"), None)
    if stronger is None:
        notes = outcome.notes if outcome is not None else []
        return None, _short(notes[0] if notes else "no statement"), tokens
    reason = (
        f"local confidence {site.confidence:.2f}, among the lowest {settings.escalate_percent} % "
        f"of the {written} statements the local model wrote: the stronger model's statement"
    )
    served = dataclasses.replace(
        stronger,
        route="remote",
        route_reason=reason,
        confidence=site.confidence,
        notes=(*stronger.notes, f"the local model's statement: {local.suggestion.statement}"),
    )
    task = Task(result.path, result.display, result.root, settings, (), language=result.language)
    own = index.relative(result.path) if index is not None else None
    proposal = proposal_for(local.finding, served, task, own, header_lines(text))
    return (
        proposal,
        "same" if stronger.statement == local.suggestion.statement else "replaced",
        (tokens),
    )


def _kept(local: Proposal, site: _Site, why: str) -> Proposal:
    """The local proposal, saying that the stronger model was asked and why its answer is not
    served."""
    suggestion = local.suggestion
    kept = dataclasses.replace(
        suggestion,
        route_reason=f"local confidence {site.confidence:.2f}: escalated, but the stronger model "
        f"gave no statement ({why}): local statement kept",
        notes=(*suggestion.notes, f"the stronger model gave no statement: {why}"),
    )
    return dataclasses.replace(local, suggestion=kept)


def _short(note: str) -> str:
    """A failure note as a reason the summary counts: its first clause."""
    return note.split("; ")[0][:160]
