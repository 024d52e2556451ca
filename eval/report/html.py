"""The adoption report as one self-contained HTML page: the Markdown report's text and tables, with
matplotlib charts embedded as base64 PNG (acceptable rate per engine, comparison with the baselines
on every quality measure (the safe share included), latency histogram, acceptable rate by level and
by site kind, model cost)."""

from __future__ import annotations

import html
import re

from eval.report.adoption import BREAKDOWN_ENGINES, SHORT, SPLIT_TITLES, cases, render_markdown
from logsmith.audit.report import chart_png

COLOURS = {
    "logsmith_inline": "#1f6fd1",
    "logsmith_completion": "#7fb0ea",
    "logsmith_inline_index": "#6a3fb5",
    "logsmith_completion_index": "#b9a2e0",
    "template": "#8c8c8c",
    "template_index": "#c4c4c4",
    "unconstrained": "#d9822b",
    "llamavim_cold": "#3a9a5b",
    "llamavim_warm": "#a3d4b2",
}
CHARTS_BEFORE = "## Model cost"
"""The charts go after the verdict and the key tables, before the details."""


# ------------------------------------------------------------------------------------------------
# Charts: each takes the report dict and draws on one matplotlib axes


def _grouped_bars(axes, groups: list[str], series: dict[str, list[float]], ylabel: str, percent: bool = True) -> None:
    count = max(len(series), 1)
    width = 0.8 / count
    for index, (engine, values) in enumerate(series.items()):
        offsets = [g + (index - (count - 1) / 2) * width for g in range(len(groups))]
        axes.bar(offsets, [v * 100 if percent else v for v in values], width, label=SHORT[engine],
                 color=COLOURS[engine])
    axes.set_xticks(range(len(groups)))
    axes.set_xticklabels(groups)
    axes.set_ylabel(ylabel)
    if percent:
        axes.set_ylim(0, 100)
    axes.legend(fontsize=7, loc="center left", bbox_to_anchor=(1.01, 0.5), frameon=False)
    axes.grid(axis="y", alpha=0.3)


def acceptable_per_engine(report: dict):
    splits = list(report["splits"])

    def draw(axes):
        engines = [e for e in BREAKDOWN_ENGINES if any(e in report["splits"][s]["engines"] for s in splits)]
        series = {e: [report["splits"][s]["engines"].get(e, {}).get("acceptable") or 0 for s in splits]
                  for e in engines}
        _grouped_bars(axes, [f"{s} ({cases(report['splits'][s]['n'])})" for s in splits], series, "acceptable (%)")
        axes.set_title("Acceptable suggestions per engine")
    return draw


def comparison(report: dict):
    split = next(iter(report["splits"]))
    engines = report["splits"][split]["engines"]
    measures = (("acceptable", "acceptable"), ("level_accuracy_exception_is_error", "level right"),
                ("variable_f1", "variable F1"), ("rouge_l", "ROUGE-L"), ("bleu4", "BLEU-4"), ("parses", "valid Python"))
    if any(entry.get("safe") is not None for entry in engines.values()):  # rows scored before it have none
        measures += (("safe", "safe"),)

    def draw(axes):
        series = {e: [engines[e][key] or 0 for key, _ in measures] for e in BREAKDOWN_ENGINES if e in engines}
        _grouped_bars(axes, [label for _, label in measures], series, "share / score (x100)")
        axes.set_title(f"Comparison with the baselines, {SPLIT_TITLES[split]}")
    return draw


def latency_histogram(report: dict):
    engines = report["all"]["engines"]

    def draw(axes):
        import numpy

        values = [v for e in engines.values() for v in e["latencies_ms"] if v > 0]
        low, high = max(min(values, default=1), 1), max(values, default=10)
        bins = numpy.logspace(numpy.log10(low), numpy.log10(high * 1.01) if high > low else numpy.log10(low) + 1, 30)
        for engine, entry in engines.items():
            latencies = [v for v in entry["latencies_ms"] if v > 0]
            if latencies:
                axes.hist(latencies, bins=bins, histtype="step", linewidth=1.6, label=SHORT[engine],
                          color=COLOURS[engine])
        axes.set_xscale("log")
        axes.set_xlabel("latency of one request (ms, log scale)")
        axes.set_ylabel("requests")
        axes.legend(fontsize=7, loc="center left", bbox_to_anchor=(1.01, 0.5), frameon=False)
        axes.set_title("Latency distribution, both splits")
    return draw


def breakdown_bars(report: dict, key: str, title: str):
    table = report[key]

    def draw(axes):
        names = list(table)
        engines = [e for e in BREAKDOWN_ENGINES if any(e in table[n] for n in names)]
        series = {e: [(table[n].get(e) or {}).get("acceptable") or 0 for n in names] for e in engines}
        _grouped_bars(axes, [f"{n}\n({table[n]['n']})" for n in names], series, "acceptable (%)")
        axes.set_title(title)
    return draw


def model_cost(report: dict):
    engines = report["all"]["engines"]

    def draw(axes):
        names = [e for e in engines if engines[e]["cost"]["wall_s_per_acceptable"]]
        wall = [engines[e]["cost"]["wall_s_per_acceptable"] for e in names]
        cpu = [engines[e]["cost"]["cpu_s_per_acceptable"] or 0 for e in names]
        positions = range(len(names))
        axes.bar([p - 0.2 for p in positions], wall, 0.4, label="request time", color=[COLOURS[e] for e in names])
        axes.bar([p + 0.2 for p in positions], cpu, 0.4, label="CPU time", color=[COLOURS[e] for e in names],
                 hatch="//", alpha=0.6)
        axes.set_xticks(list(positions))
        axes.set_xticklabels([SHORT[e].replace(" ", "\n", 1) for e in names], fontsize=8)
        axes.set_yscale("log")
        axes.set_ylabel("seconds per acceptable statement")
        axes.legend(fontsize=7, loc="upper left", frameon=False)
        axes.set_title("Model cost: time per acceptable statement (solid: wait, hatched: CPU)")
    return draw


def charts(report: dict) -> list[tuple[str, str]]:
    """(title, base64 PNG) of every chart the report's data allows."""
    drawn = []
    if report["splits"]:
        drawn.append(("Acceptable rate per engine", chart_png(acceptable_per_engine(report), (8, 3.6))))
        drawn.append(("Comparison with the baselines", chart_png(comparison(report), (8, 3.6))))
    if any(e["latencies_ms"] for e in report["all"]["engines"].values()):
        drawn.append(("Latency histogram", chart_png(latency_histogram(report), (8, 3.6))))
    if report["by_level"]:
        drawn.append(("Acceptable by level", chart_png(breakdown_bars(
            report, "by_level", "Acceptable rate by the developer's level, both splits"), (8, 3.6))))
    if report["by_site_kind"]:
        drawn.append(("Acceptable by site kind", chart_png(breakdown_bars(
            report, "by_site_kind", "Acceptable rate by site kind, both splits"), (8, 3.6))))
    if any(e["cost"]["wall_s_per_acceptable"] for e in report["all"]["engines"].values()):
        drawn.append(("Model cost", chart_png(model_cost(report), (8, 3.6))))
    return drawn


# ------------------------------------------------------------------------------------------------
# The Markdown report's text as HTML (the few constructs render_markdown uses)


def _inline(text: str) -> str:
    text = html.escape(text, quote=False)
    text = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", text)
    text = re.sub(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])", r"<em>\1</em>", text)
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", text)


def markdown_to_html(markdown: str) -> str:
    """Headings, paragraphs, bullet lists and pipe tables, with bold, emphasis and code spans."""
    out, table, items, paragraph = [], [], [], []

    def flush():
        if paragraph:
            out.append(f"<p>{_inline(' '.join(paragraph))}</p>")
            paragraph.clear()
        if items:
            out.append("<ul>" + "".join(f"<li>{_inline(i)}</li>" for i in items) + "</ul>")
            items.clear()
        if table:
            cells = [[c.strip() for c in row.strip().strip("|").split("|")] for row in table]
            head, body = cells[0], [row for row in cells[1:] if not all(set(c) <= set("-:") for c in row)]
            out.append("<table><thead><tr>" + "".join(f"<th>{_inline(c)}</th>" for c in head) + "</tr></thead><tbody>"
                       + "".join("<tr>" + "".join(f"<td>{_inline(c)}</td>" for c in row) + "</tr>" for row in body)
                       + "</tbody></table>")
            table.clear()

    for line in markdown.split("\n"):
        if line.startswith("|"):
            if paragraph or items:
                flush()
            table.append(line)
            continue
        if table:
            flush()
        if not line.strip():
            flush()
        elif line.startswith("#"):
            flush()
            level = len(line) - len(line.lstrip("#"))
            out.append(f"<h{level}>{_inline(line[level:].strip())}</h{level}>")
        elif line.startswith("- "):
            if paragraph:
                flush()
            items.append(line[2:])
        elif items and line.startswith("  "):
            items[-1] += " " + line.strip()
        else:
            paragraph.append(line.strip())
    flush()
    return "\n".join(out)


STYLE = ("body{font-family:system-ui,sans-serif;max-width:70em;margin:2em auto;padding:0 1em;color:#222;line-height:1.45}"
         "table{border-collapse:collapse;margin:.6em 0;font-size:.9em}td,th{border:1px solid #ccc;padding:.2em .5em;"
         "text-align:right}td:first-child,th:first-child{text-align:left}th{background:#f3f5f8}"
         "figure{margin:1em 0}img{max-width:100%}code{background:#f3f3f3;padding:0 .2em}"
         ".charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(34em,1fr));gap:.5em}")


def render_html(report: dict) -> str:
    markdown = render_markdown(report)
    head, _, details = markdown.partition(CHARTS_BEFORE)
    try:
        drawn = charts(report)
        figures = "".join(f'<figure><img alt="{html.escape(title)}" src="data:image/png;base64,{png}">'
                          f"<figcaption>{html.escape(title)}</figcaption></figure>" for title, png in drawn)
        figures = f'<h2>Charts</h2><div class="charts">{figures}</div>'
    except ImportError:  # matplotlib comes with the `eval` extra
        figures = "<p><em>Charts need matplotlib: pip install 'logsmith[eval]'.</em></p>"
    body = markdown_to_html(head) + figures + (markdown_to_html(CHARTS_BEFORE + details) if details else "")
    title = html.escape(markdown.split("\n", 1)[0].lstrip("# "))
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
            f"<style>{STYLE}</style></head><body>{body}</body></html>\n")
