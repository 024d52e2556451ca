"""`logsmith report`: acceptance and latency figures from one audit store, or merged from several
stores and their exports, as text, JSON, Markdown or HTML.

    logsmith report [STORE_OR_EXPORT ...] [--since DAY] [--json] [--html FILE] [--markdown FILE]

With no input it reads the user's own store. Each input is verified first (`logsmith.audit.inputs`:
its hash chain, exports included); one that fails is named with the reason on standard error and
in the report, and none of its rows is counted. Exit status: 0 when every input verified, 1 when
one was left out, 2 when nothing could be read or written.

The report is person-agnostic: it names its inputs by number, never by path, and groups by
repository (the workspace folder's name the server records in each `shown` row's detail, else the
first folder of a relative path, else `unknown`), language (`detail.language`; rows recorded before
logsmith read other languages are Python's), level, site kind, route (`detail.route` when
recorded, else from the source: template, neighbour, or `local` for a model id), source, channel
and day; never by file or user.

The aggregation is pure (`outcomes`, `summarize`, `percentile`) so eval/ can reuse it on any rows.
Definitions:
- A suggestion counts as shown once it has a `shown` row, or any later event (an accepted suggestion
  was necessarily shown).
- Its outcome is `accepted` if any `accepted` row exists (an acceptance that arrives after a
  dismissal still wins), else `partially_accepted`, else `dismissed`, else `pending`
  (shown, no answer yet).
- Acceptance rate = accepted / shown. Latency percentiles are over offers (one request's answer),
  not over the suggestions in it; a group's are over the offers of its suggestions. "Model time
  per accepted statement" = the latency of every offer divided by the number of accepted
  suggestions.

The command prints the figures on standard output; `--html FILE` and `--markdown FILE` also write
those files and say so on standard error. With no audit store yet it says how the editors create
one and where it is looked for (`telemetry.no_store_help`).
"""

from __future__ import annotations

import base64
import html
import io
import json
import math
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from logsmith.audit.inputs import AuditInput, counted_rows, read_input
from logsmith.audit.store import AuditRow, default_store_path, no_store_help

OUTCOMES = ("accepted", "partially_accepted", "dismissed", "pending")
BREAKDOWNS = ("repository", "language", "level", "site_kind", "route", "source", "channel", "day")
UNKNOWN = "unknown"
ROUTE_OF_SOURCE = {"template": "template", "neighbour": "neighbour"}
"""The route of a suggestion recorded without one, by its source; any other source is a model id
(`local`)."""


@dataclass
class SuggestionOutcome:
    """What happened to one suggestion, folded from its rows."""

    suggestion_id: str
    offer_id: str | None
    channel: str | None
    level: str | None
    source: str | None
    site_kind: str | None
    latency_ms: float | None
    shown_at: str
    repository: str = UNKNOWN
    route: str = UNKNOWN
    language: str = "python"
    """The document's language (`detail.language`; Python when a row does not say)."""
    outcome: str = "pending"
    accepted_at: str | None = None
    accepted_chars: int | None = None

    @property
    def day(self) -> str:
        return self.shown_at[:10]


def _detail(row: AuditRow) -> dict:
    try:
        found = json.loads(row.detail) if row.detail else {}
    except ValueError:
        return {}
    return found if isinstance(found, dict) else {}


def _repository_of_path(path: str | None) -> str:
    """The first folder of a relative path; an absolute path says nothing of its workspace."""
    if not path or path.startswith("/") or ":" in path:
        return UNKNOWN
    parts = Path(path).parts
    return parts[0] if len(parts) > 1 else UNKNOWN


def _route_of_source(source: str | None) -> str:
    return ROUTE_OF_SOURCE.get(source, "local") if source else UNKNOWN


def outcomes(rows: Iterable[AuditRow]) -> list[SuggestionOutcome]:
    """One SuggestionOutcome per suggestion id, in the order the suggestions first appear."""
    found: dict[str, SuggestionOutcome] = {}
    events: dict[str, set[str]] = {}
    recorded: set[tuple[str, str]] = set()
    """(suggestion, repository, route or language) taken from a row's detail: the first one recorded
    wins."""
    for row in rows:
        item = found.get(row.suggestion_id)
        if item is None:
            item = found[row.suggestion_id] = SuggestionOutcome(
                row.suggestion_id,
                row.offer_id,
                row.channel,
                row.level,
                row.source,
                row.site_kind,
                row.latency_ms,
                row.time,
                _repository_of_path(row.path),
                _route_of_source(row.source),
            )
            events[row.suggestion_id] = set()
        events[row.suggestion_id].add(row.event)
        detail = _detail(row)
        for name in ("repository", "route", "language"):
            value = detail.get(name)
            if isinstance(value, str) and value and (row.suggestion_id, name) not in recorded:
                setattr(item, name, value)
                recorded.add((row.suggestion_id, name))
        if row.event == "shown":
            item.shown_at = min(item.shown_at, row.time)
        elif row.event == "accepted" and item.accepted_at is None:
            item.accepted_at = row.time
        elif row.event == "partially_accepted" and row.detail:
            try:
                chars = json.loads(row.detail).get("accepted_chars")
            except (ValueError, AttributeError):
                chars = None
            if isinstance(chars, int):
                item.accepted_chars = max(chars, item.accepted_chars or 0)
    for suggestion_id, item in found.items():
        seen = events[suggestion_id]
        item.outcome = next((name for name in OUTCOMES[:3] if name in seen), "pending")
    return list(found.values())


def percentile(values: Iterable[float], q: float) -> float | None:
    """The q-th percentile (0-100) with linear interpolation between closest ranks;
    None when empty."""
    ordered = sorted(values)
    if not ordered:
        return None
    rank = (len(ordered) - 1) * q / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


@dataclass
class Tally:
    """How many suggestions of a group were shown, how many of those ended in each outcome, and the
    latency of the offers they came in."""

    shown: int = 0
    accepted: int = 0
    partially_accepted: int = 0
    dismissed: int = 0
    pending: int = 0
    offer_latency: dict[str, float] = field(default_factory=dict)

    @property
    def acceptance_rate(self) -> float | None:
        return self.accepted / self.shown if self.shown else None

    @property
    def latency_p50_ms(self) -> float | None:
        return percentile(self.offer_latency.values(), 50)

    @property
    def latency_p95_ms(self) -> float | None:
        return percentile(self.offer_latency.values(), 95)

    def add(self, item: SuggestionOutcome) -> None:
        self.shown += 1
        setattr(self, item.outcome, getattr(self, item.outcome) + 1)
        if item.latency_ms is not None:
            self.offer_latency.setdefault(item.offer_id or item.suggestion_id, item.latency_ms)

    def as_dict(self) -> dict:
        return {
            "shown": self.shown,
            "accepted": self.accepted,
            "partially_accepted": self.partially_accepted,
            "dismissed": self.dismissed,
            "pending": self.pending,
            "acceptance_rate": self.acceptance_rate,
            "latency_p50_ms": self.latency_p50_ms,
            "latency_p95_ms": self.latency_p95_ms,
        }


@dataclass
class Summary:
    """The report's figures: outcome tallies overall and per breakdown, latency, time to accept."""

    overall: Tally
    by: dict[str, dict[str, Tally]]
    offers: int
    latency_p50_ms: float | None
    latency_p95_ms: float | None
    model_ms_per_accepted: float | None
    median_seconds_to_accept: float | None
    first_event: str | None
    last_event: str | None
    latencies_ms: list[float] = field(default_factory=list)
    inputs: list[AuditInput] = field(default_factory=list)
    """What the figures were read from (empty when summarised from rows given directly)."""
    repeated_rows: int = 0
    """Rows given in more than one input, counted once."""

    def as_dict(self) -> dict:
        return {
            "inputs": [item.as_dict() for item in self.inputs],
            "repeated_rows": self.repeated_rows,
            "overall": self.overall.as_dict(),
            "by": {
                name: {key: tally.as_dict() for key, tally in groups.items()}
                for name, groups in self.by.items()
            },
            "offers": self.offers,
            "latency_ms": {"p50": self.latency_p50_ms, "p95": self.latency_p95_ms},
            "model_ms_per_accepted": self.model_ms_per_accepted,
            "median_seconds_to_accept": self.median_seconds_to_accept,
            "period": {"first": self.first_event, "last": self.last_event},
        }


def _seconds_between(start: str, end: str) -> float:
    from datetime import datetime

    return (
        datetime.fromisoformat(end.replace("Z", "+00:00"))
        - datetime.fromisoformat(start.replace("Z", "+00:00"))
    ).total_seconds()


def summarize(items: list[SuggestionOutcome]) -> Summary:
    """Counts, rates and latency figures over suggestion outcomes."""
    overall = Tally()
    by: dict[str, dict[str, Tally]] = {name: {} for name in BREAKDOWNS}
    for item in items:
        overall.add(item)
        for name in BREAKDOWNS:
            key = getattr(item, name) or UNKNOWN
            by[name].setdefault(key, Tally()).add(item)
    for name in BREAKDOWNS:
        by[name] = dict(sorted(by[name].items()))
    latencies = list(overall.offer_latency.values())
    waits = [
        _seconds_between(item.shown_at, item.accepted_at) for item in items if item.accepted_at
    ]
    times = sorted(item.shown_at for item in items)
    return Summary(
        overall=overall,
        by=by,
        offers=len(latencies),
        latency_p50_ms=percentile(latencies, 50),
        latency_p95_ms=percentile(latencies, 95),
        model_ms_per_accepted=sum(latencies) / overall.accepted if overall.accepted else None,
        median_seconds_to_accept=percentile(waits, 50),
        first_event=times[0] if times else None,
        last_event=times[-1] if times else None,
        latencies_ms=latencies,
    )


# ---------------------------------------------------------------------------------------------
# Rendering


def _rate(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.1f}%"


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f} ms"


def _table_rows(tallies: dict[str, Tally]) -> list[tuple[str, ...]]:
    return [
        (
            key,
            str(t.shown),
            str(t.accepted),
            str(t.partially_accepted),
            str(t.dismissed),
            _rate(t.acceptance_rate),
            _ms(t.latency_p50_ms),
            _ms(t.latency_p95_ms),
        )
        for key, t in tallies.items()
    ]


HEADINGS = {
    "repository": "By repository",
    "language": "By language",
    "level": "By level",
    "site_kind": "By site kind",
    "route": "By route",
    "source": "By source",
    "channel": "By channel",
    "day": "By day (UTC)",
}
COLUMNS = ("", "shown", "accepted", "partial", "dismissed", "rate", "p50", "p95")


def input_lines(summary: Summary) -> list[str]:
    """One line per input: its number and format, its rows, and whether it was counted."""
    lines = []
    for item in summary.inputs:
        rows = (f"rows {item.rows[0].seq}-{item.rows[-1].seq}" if item.rows else "no rows") + (
            " (a segment of its chain)" if item.segment else ""
        )
        if item.verified:
            last = f", last row hash {item.rows[-1].row_hash}" if item.rows else ""
            lines.append(f"input {item.number} ({item.format}): {rows}, verified{last}")
        else:
            lines.append(
                f"input {item.number} ({item.format}): LEFT OUT of the figures: {item.problem}"
            )
    if summary.repeated_rows:
        lines.append(f"{summary.repeated_rows} rows given in more than one input, counted once")
    return lines


def render_text(summary: Summary) -> str:
    lines = input_lines(summary)
    if summary.first_event:
        lines.append(f"period: {summary.first_event} .. {summary.last_event}")
    o = summary.overall
    lines += [
        f"suggestions shown: {o.shown}   accepted: {o.accepted}   partially accepted: "
        f"{o.partially_accepted}   dismissed: {o.dismissed}   pending: {o.pending}",
        f"acceptance rate: {_rate(o.acceptance_rate)}",
        f"latency over {summary.offers} offers: p50 {_ms(summary.latency_p50_ms)}, "
        f"p95 {_ms(summary.latency_p95_ms)}",
        f"model time per accepted statement: {_ms(summary.model_ms_per_accepted)}",
        "median time to accept: "
        + (
            "-"
            if summary.median_seconds_to_accept is None
            else f"{summary.median_seconds_to_accept:.1f} s"
        ),
    ]
    for name in BREAKDOWNS:
        rows = _table_rows(summary.by[name])
        if not rows:
            continue
        lines.append("")
        lines.append(HEADINGS[name])
        width = max(len(COLUMNS[0]), *(len(r[0]) for r in rows))
        lines.append("  " + COLUMNS[0].ljust(width) + "".join(c.rjust(11) for c in COLUMNS[1:]))
        for row in rows:
            lines.append("  " + row[0].ljust(width) + "".join(cell.rjust(11) for cell in row[1:]))
    return "\n".join(lines) + "\n"


def render_markdown(summary: Summary) -> str:
    o = summary.overall
    parts = [
        "# logsmith acceptance report",
        "",
        f"Period: {summary.first_event or '-'} .. {summary.last_event or '-'}",
        "",
        *(f"- {line}" for line in input_lines(summary)),
        *([""] if summary.inputs else []),
        "| shown | accepted | partially accepted | dismissed | pending | acceptance rate |",
        "|---:|---:|---:|---:|---:|---:|",
        f"| {o.shown} | {o.accepted} | {o.partially_accepted} | {o.dismissed} | {o.pending} | "
        f"{_rate(o.acceptance_rate)} |",
        "",
        f"Latency over {summary.offers} offers: p50 {_ms(summary.latency_p50_ms)}, "
        f"p95 {_ms(summary.latency_p95_ms)}. Model time per accepted statement: "
        f"{_ms(summary.model_ms_per_accepted)}.",
    ]
    for name in BREAKDOWNS:
        rows = _table_rows(summary.by[name])
        if not rows:
            continue
        parts += [
            "",
            f"## {HEADINGS[name]}",
            "",
            "| " + " | ".join((name, *COLUMNS[1:])) + " |",
            "|---|" + "---:|" * (len(COLUMNS) - 1),
        ]
        parts += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(parts) + "\n"


def chart_png(draw, size: tuple[float, float] = (6.4, 3.2)) -> str:
    """`draw(axes)` on a new matplotlib figure of `size` inches, returned as base64 PNG
    (eval/ reuses it)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=size, dpi=100)
    try:
        draw(axes)
        figure.tight_layout()
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png")
    finally:
        plt.close(figure)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def charts(summary: Summary) -> dict[str, str]:
    """Base64 PNG charts: acceptance by level, by day, and the latency distribution."""

    def rate_bars(groups: dict[str, Tally], title: str):
        def draw(axes):
            keys = list(groups)
            axes.bar(keys, [(groups[k].acceptance_rate or 0) * 100 for k in keys], color="#3b7dd8")
            axes.set_ylabel("accepted / shown (%)")
            axes.set_ylim(0, 100)
            axes.set_title(title)

        return draw

    def latency_histogram(axes):
        axes.hist(summary.latencies_ms or [0], bins=20, color="#d8843b")
        axes.set_xlabel("latency per offer (ms)")
        axes.set_ylabel("offers")
        axes.set_title("Latency")

    result = {}
    if summary.by["level"]:
        result["Acceptance by level"] = chart_png(
            rate_bars(summary.by["level"], "Acceptance by level")
        )
    if summary.by["day"]:
        result["Acceptance by day"] = chart_png(
            rate_bars(summary.by["day"], "Acceptance by day (UTC)")
        )
    if summary.latencies_ms:
        result["Latency"] = chart_png(latency_histogram)
    return result


def render_html(summary: Summary) -> str:
    """A self-contained page: the Markdown tables as HTML plus charts embedded as base64 PNG."""
    o = summary.overall
    esc = html.escape
    body = [
        "<h1>logsmith acceptance report</h1>",
        f"<p>Period: {esc(summary.first_event or '-')} .. {esc(summary.last_event or '-')}</p>",
        *(
            ["<ul>" + "".join(f"<li>{esc(line)}</li>" for line in input_lines(summary)) + "</ul>"]
            if summary.inputs
            else []
        ),
        "<table><tr><th>shown</th><th>accepted</th><th>partially accepted</th>"
        "<th>dismissed</th><th>pending</th><th>acceptance rate</th></tr>",
        f"<tr><td>{o.shown}</td><td>{o.accepted}</td><td>{o.partially_accepted}</td><td>{o.dismissed}</td>"
        f"<td>{o.pending}</td><td>{_rate(o.acceptance_rate)}</td></tr></table>",
        f"<p>Latency over {summary.offers} offers: p50 {_ms(summary.latency_p50_ms)}, "
        f"p95 {_ms(summary.latency_p95_ms)}. Model time per accepted statement: "
        f"{_ms(summary.model_ms_per_accepted)}.</p>",
    ]
    try:
        drawn = charts(summary)
    except ImportError:  # matplotlib comes with the `eval` extra; the tables are enough without it
        drawn = {}
        body.append("<p><em>Charts need matplotlib: pip install 'logsmith[eval]'.</em></p>")
    for title, png in drawn.items():
        body.append(f'<figure><img alt="{esc(title)}" src="data:image/png;base64,{png}"></figure>')
    for name in BREAKDOWNS:
        rows = _table_rows(summary.by[name])
        if not rows:
            continue
        body.append(
            f"<h2>{esc(HEADINGS[name])}</h2><table><tr>"
            + "".join(f"<th>{esc(c or name)}</th>" for c in COLUMNS)
            + "</tr>"
        )
        body += [
            "<tr>" + "".join(f"<td>{esc(cell)}</td>" for cell in row) + "</tr>" for row in rows
        ]
        body.append("</table>")
    style = (
        "body{font-family:sans-serif;max-width:52em;margin:2em auto;color:#222}"
        "table{border-collapse:collapse;margin:.5em 0}"
        "td,th{border:1px solid #ccc;padding:.2em .6em;text-align:right}"
        "td:first-child{text-align:left}img{max-width:100%}"
    )
    return (
        '<!DOCTYPE html><html><head><meta charset="utf-8"><title>logsmith report</title>'
        f"<style>{style}</style></head><body>{''.join(body)}</body></html>\n"
    )


# ---------------------------------------------------------------------------------------------
# Command line


def add_arguments(parser) -> None:
    parser.add_argument(
        "inputs",
        nargs="*",
        type=Path,
        metavar="STORE_OR_EXPORT",
        help="audit stores and files `logsmith audit export` wrote (JSON Lines or CSV), merged "
        "into one report (default: $LOGSMITH_HOME/telemetry.sqlite3)",
    )
    parser.add_argument(
        "--store", type=Path, help="audit store to read (default: $LOGSMITH_HOME/telemetry.sqlite3)"
    )
    parser.add_argument(
        "--since", metavar="YYYY-MM-DD", help="only suggestions shown on or after this day (UTC)"
    )
    parser.add_argument(
        "--json", action="store_true", help="print the figures as JSON instead of text"
    )
    parser.add_argument(
        "--html",
        type=Path,
        metavar="FILE",
        help="also write a self-contained HTML page with charts",
    )
    parser.add_argument(
        "--markdown", type=Path, metavar="FILE", help="also write the report as Markdown"
    )


def run(args) -> int:
    named = [*args.inputs, *([args.store] if args.store else [])]
    paths = named or [default_store_path()]
    if len(paths) == 1 and not paths[0].exists():
        help_text = no_store_help(paths[0], "report", explicit=bool(named))
        print(f"logsmith report: {help_text}", file=sys.stderr)
        return 2
    inputs = [read_input(number, path) for number, path in enumerate(paths, 1)]
    for item in inputs:
        if not item.verified:
            print(
                f"logsmith report: input {item.number} ({item.path}) is left out of the "
                f"figures: {item.problem}",
                file=sys.stderr,
            )
    if not any(item.verified for item in inputs) and all(
        item.format == "unknown" for item in inputs
    ):
        return 2
    rows, repeated = counted_rows(inputs)
    items = outcomes(rows)
    if args.since:
        items = [item for item in items if item.day >= args.since]
    summary = summarize(items)
    summary.inputs, summary.repeated_rows = inputs, repeated
    written = []
    for path, what, render in (
        (args.html, "HTML", render_html),
        (args.markdown, "Markdown", render_markdown),
    ):
        if path is None:
            continue
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(render(summary), encoding="utf-8")
        except OSError as exc:
            print(f"logsmith report: cannot write {path}: {exc.strerror or exc}", file=sys.stderr)
            return 2
        written.append(f"{what} report written to {path}")
    if args.json:
        json.dump(summary.as_dict(), sys.stdout, indent=2, sort_keys=True)
        sys.stdout.write("\n")
    else:
        sys.stdout.writelines(render_text(summary).splitlines(keepends=True))
    sys.stdout.flush()
    for line in written:  # after the figures, like `logsmith suggest --review`
        print(line, file=sys.stderr)
    return 0 if all(item.verified for item in inputs) else 1
