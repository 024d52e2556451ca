"""The baseline: the same model asked the way llama.vim asks, with no tree-sitter and no plan.

A FIM model gets `<|fim_prefix|>` + the 256 lines before the cursor (and the cursor line up to
it) + `<|fim_suffix|>` + the rest of the line and the 64 lines after + `<|fim_middle|>`; a model
without FIM tokens (Gemma 3 270M) gets the prefix alone. Greedy decoding, at most 48 tokens,
stop at the first newline; the stripped output is taken as the statement, whatever it is.

The model runs in a worker process of its own (`logsmith.model.client.ModelWorker`, n_threads=2,
a context of 8192 tokens so 320 lines fit), with a generous deadline: the baseline is not cut short.
"""

from __future__ import annotations


PREFIX_LINES = 256
SUFFIX_LINES = 64
MAX_TOKENS = 48
N_CTX = 8192
DEADLINE_S = 600.0


def prompt_for(source: str, line: int, character: int, *, fim_tokens: tuple[str, str, str] | None,
               prefix_lines: int = PREFIX_LINES, suffix_lines: int = SUFFIX_LINES) -> str:
    """The llama.vim-style prompt for the cursor at (`line`, `character`), 0-based code points;
    `fim_tokens` = (prefix, suffix, middle) tokens of a FIM model, None for a prefix-only prompt."""
    lines = source.split("\n")
    line = min(max(line, 0), len(lines) - 1)
    current = lines[line]
    character = min(max(character, 0), len(current))
    before = lines[max(0, line - prefix_lines): line]
    prefix = "".join(text + "\n" for text in before) + current[:character]
    if not fim_tokens:
        return prefix
    after = lines[line + 1: line + 1 + suffix_lines]
    suffix = current[character:] + "".join("\n" + text for text in after)
    fim_prefix, fim_suffix, fim_middle = fim_tokens
    return f"{fim_prefix}{prefix}{fim_suffix}{suffix}{fim_middle}"


def statement_from(output: str, typed: str = "") -> str:
    """The statement the baseline proposes: what was typed on the line plus the output's first line."""
    return (typed + output.split("\n", 1)[0]).strip()


class BaselineModel:
    """The model in a `logsmith.model.client.ModelWorker` of its own (its own KV cache, apart
    from the one logsmith's pipeline uses), asked with greedy decoding and no grammar."""

    def __init__(self, choice, *, prefix_lines: int = PREFIX_LINES, suffix_lines: int = SUFFIX_LINES,
                 n_threads: int = 2, n_ctx: int = N_CTX, load_timeout_s: float = 300.0):
        from logsmith.model.client import ModelWorker

        self.prefix_lines, self.suffix_lines = prefix_lines, suffix_lines
        self.model_id = choice.model_id
        self.fim_tokens = tuple(choice.fim_tokens) if choice.fim_tokens else None
        self._worker = ModelWorker(choice, n_threads=n_threads, n_ctx=n_ctx)
        self._worker.start()
        if not self._worker.wait_ready(load_timeout_s):
            raise RuntimeError(f"baseline model {choice.model_id} did not load: {self._worker.last_error}")

    @property
    def pid(self) -> int | None:
        """Process id of the baseline's model worker (for its CPU time and memory)."""
        return self._worker.pid

    def prompt(self, source: str, line: int, character: int) -> str:
        return prompt_for(source, line, character, fim_tokens=self.fim_tokens, prefix_lines=self.prefix_lines,
                          suffix_lines=self.suffix_lines)

    def complete(self, prompt: str):
        """A `logsmith.model.client.Completion`: text, seconds, prompt / reused / evaluated tokens."""
        return self._worker.complete(prompt, deadline_s=DEADLINE_S, max_tokens=MAX_TOKENS, stop=("\n",),
                                     temperature=0.0)

    def close(self) -> None:
        self._worker.close()
