"""Baseline (c): logsmith's own prompt for the model, without the output constraint.

Everything up to the model is logsmith's: the site, the plan and the prompt
(`logsmith.engines.model_engine.context_for(...)` + `logsmith.engines.prompt.opening(site, plan)`,
i.e. the file's head, nearby log statements, the window before the cursor, then the planned call
opened up to its message, `logger.info("`, or up to `logger.info(` where logsmith lets the model log
a message value alone). What differs is the answer: no grammar, no check, no
arguments added from the plan; the model writes on (greedy, 48 tokens at most, stop at newline)
and the statement is the opened call plus its text up to the end of the line, whatever it is.
Comparing this with logsmith shows what the grammar is worth.

The model is logsmith's default worker in this process (`logsmith.model.client.get_worker`, the
same context size as the server's), with a generous deadline: this baseline is not cut short.
"""

from __future__ import annotations

import time
from pathlib import Path

from logsmith.engines import model_engine
from logsmith.engines import prompt as prompts
from logsmith.pipeline import facts_of, site_at, style_for
from logsmith.planning.plan import make_plan
from logsmith.settings import Settings, from_environment
from logsmith.syntax.document import ParsedDocument

MAX_TOKENS = 48
DEADLINE_S = 120.0


def prompt_and_opening(source: str, line: int, character: int, path: Path | str | None,
                       settings: Settings) -> tuple[str, str, tuple[str, ...]]:
    """(prompt, the opened call the model continues, the text of the setup edits the plan comes with)."""
    document = ParsedDocument(source)
    facts = facts_of(document)
    site = site_at(source, line, character, document=document)
    plan = make_plan(site, facts, style_for(facts, path, settings))
    opening = prompts.opening(site, plan)
    prompt = model_engine.context_for(document, site, facts) + opening
    return prompt, opening, tuple(edit.new_text for edit in plan.setup_edits)


def statement_from(opening: str, output: str) -> str:
    """The opened call and the model's text up to the end of the line, stripped."""
    return (opening + output.split("\n", 1)[0]).strip()


class UnconstrainedModel:
    """logsmith's model worker asked with logsmith's prompt and no grammar."""

    def __init__(self, settings: Settings | None = None, *, load_timeout_s: float = 300.0):
        self.settings = from_environment(settings or Settings())
        self._worker = model_engine.preload(self.settings, timeout=load_timeout_s)
        if self._worker.state != "ready":
            raise RuntimeError(f"model {self._worker.model_id} is {self._worker.state}: {self._worker.last_error}")
        self.model_id = self._worker.model_id

    @property
    def pid(self) -> int | None:
        return self._worker.pid

    def ask(self, source: str, line: int, character: int, path: Path | str | None = None) -> dict:
        """The statement, its latency and what the model was given, as a benchmark result."""
        prompt, opening, setup = prompt_and_opening(source, line, character, path, self.settings)
        started = time.perf_counter()
        completion = self._worker.complete(prompt, grammar=None, max_tokens=MAX_TOKENS, stop=("\n",),
                                           deadline_s=DEADLINE_S, temperature=0.0)
        return {
            "statement": statement_from(opening, completion.text),
            "latency_ms": (time.perf_counter() - started) * 1000,
            "error": None,
            "output": completion.text,
            "opening": opening,
            "additional_edits": list(setup),
            "prompt_tokens": completion.prompt_tokens,
            "reused_tokens": completion.reused_tokens,
            "truncated_tokens": completion.truncated_tokens,
            "stopped_by": completion.stopped_by,
        }
