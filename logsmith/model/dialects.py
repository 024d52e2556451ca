"""The two languages inference servers speak: what a completion request looks like, and how its
reply reads back as a `Completion`.

- `LlamaServer`: llama.cpp's `llama-server`, native `POST /completion`: the GBNF grammar as is,
  the prompt kept in the server's cache (`cache_prompt`), one probability per written token
  (`n_probs: 1`), and the server's timings (cached, evaluated and written tokens).
- `OpenAI`: any OpenAI-compatible server, `POST /v1/completions`. The grammar goes both as
  `grammar` (llama-cpp-python's server) and as `structured_outputs.grammar` (vLLM); a server that
  knows neither ignores both, which is why every answer is checked as if unconstrained.

`read_*` raise ReplyError for a reply that does not have the dialect's shape.
"""

from __future__ import annotations

import math
import os
from typing import Any

from logsmith.model.client import Completion
from logsmith.model.endpoint import Dialect
from logsmith.model.protocol import StopReason


class ReplyError(ValueError):
    """A 200 reply whose JSON is not what the dialect answers."""


def _number(value: Any, default: float = 0.0) -> float:
    if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
        return float(value)
    return default


def _logprobs(values: Any) -> tuple[float, ...]:
    if not isinstance(values, list):
        return ()
    found = []
    for value in values:
        if isinstance(value, dict):
            value = value.get("logprob")
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            found.append(float(value))
    return tuple(found)


class LlamaServer:
    """llama.cpp's own server."""

    name: Dialect = "llama-server"
    probe_path = "/props"
    completion_path = "/completion"

    @staticmethod
    def server_model(props: Any) -> str:
        """The model a `/props` reply names; ReplyError when it is not llama-server's."""
        if not isinstance(props, dict) or not (
            "default_generation_settings" in props or "model_path" in props
        ):
            raise ReplyError("GET /props did not answer as llama-server does")
        alias = props.get("model_alias")
        path = props.get("model_path")
        if isinstance(path, str) and path and (not isinstance(alias, str) or alias == path):
            return os.path.basename(path)
        if isinstance(alias, str) and alias:
            return alias
        return "unknown model"

    @staticmethod
    def completion_body(
        prompt: str,
        *,
        grammar: str | None,
        max_tokens: int,
        stop: tuple[str, ...],
        temperature: float,
        model: str,
        logprobs: bool,
    ) -> dict:
        body: dict[str, Any] = {
            "prompt": prompt,
            "n_predict": max_tokens,
            "stop": list(stop),
            "temperature": temperature,
            "cache_prompt": True,
        }
        if grammar is not None:
            body["grammar"] = grammar
        if logprobs:
            body["n_probs"] = 1
        return body

    @staticmethod
    def warm_body(prompt: str, model: str) -> dict:
        """Evaluate the prompt into a slot's cache: `n_predict: 0` still writes one token."""
        return {"prompt": prompt, "n_predict": 1, "cache_prompt": True, "temperature": 0.0}

    @staticmethod
    def read(reply: Any, seconds: float) -> Completion:
        if not isinstance(reply, dict) or not isinstance(reply.get("content"), str):
            raise ReplyError("the reply of POST /completion has no 'content' text")
        timings = reply.get("timings") if isinstance(reply.get("timings"), dict) else {}
        assert isinstance(timings, dict)
        cached = int(_number(timings.get("cache_n"), _number(reply.get("tokens_cached"))))
        evaluated = int(_number(timings.get("prompt_n"), _number(reply.get("tokens_evaluated"))))
        written = int(_number(timings.get("predicted_n"), _number(reply.get("tokens_predicted"))))
        prompt_s = _number(timings.get("prompt_ms")) / 1000
        generation_s = _number(timings.get("predicted_ms")) / 1000
        stop_type = reply.get("stop_type")
        stopped_by: StopReason = "length" if stop_type == "limit" else "stop"
        if stop_type is None and reply.get("stopped_limit"):
            stopped_by = "length"
        return Completion(
            text=reply["content"],
            tokens=written,
            prompt_tokens=cached + evaluated,
            seconds=seconds,
            stopped_by=stopped_by,
            reused_tokens=cached,
            evaluated_tokens=evaluated,
            truncated_tokens=0,
            prompt_seconds=prompt_s,
            generation_seconds=generation_s,
            worker_seconds=prompt_s + generation_s,
            token_logprobs=_logprobs(reply.get("completion_probabilities")),
        )


class OpenAI:
    """An OpenAI-compatible server (llama-cpp-python's, vLLM, and others)."""

    name: Dialect = "openai"

    def __init__(self, versioned_base: bool):
        """`versioned_base`: the URL already ends in `/v1`."""
        prefix = "" if versioned_base else "/v1"
        self.probe_path = f"{prefix}/models"
        self.completion_path = f"{prefix}/completions"

    @staticmethod
    def server_model(models: Any) -> str:
        data = models.get("data") if isinstance(models, dict) else None
        if not isinstance(data, list):
            raise ReplyError("GET /v1/models did not answer as an OpenAI-compatible server does")
        for item in data:
            if isinstance(item, dict) and isinstance(item.get("id"), str) and item["id"]:
                return item["id"]
        raise ReplyError("the server serves no model (GET /v1/models lists none)")

    @staticmethod
    def completion_body(
        prompt: str,
        *,
        grammar: str | None,
        max_tokens: int,
        stop: tuple[str, ...],
        temperature: float,
        model: str,
        logprobs: bool,
    ) -> dict:
        body: dict[str, Any] = {
            "model": model,
            "prompt": prompt,
            "max_tokens": max_tokens,
            "stop": list(stop),
            "temperature": temperature,
        }
        if grammar is not None:
            body["grammar"] = grammar
            body["structured_outputs"] = {"grammar": grammar}
        if logprobs:
            body["logprobs"] = 1
        return body

    @staticmethod
    def warm_body(prompt: str, model: str) -> dict | None:
        """None: the dialect has no way to only read a prompt (servers cache prefixes by
        themselves, or not at all)."""
        return None

    @staticmethod
    def read(reply: Any, seconds: float) -> Completion:
        choices = reply.get("choices") if isinstance(reply, dict) else None
        if not isinstance(choices, list) or not choices or not isinstance(choices[0], dict):
            raise ReplyError("the reply of POST /v1/completions has no choices")
        choice = choices[0]
        if not isinstance(choice.get("text"), str):
            raise ReplyError("the reply of POST /v1/completions has no text")
        usage = reply.get("usage") if isinstance(reply.get("usage"), dict) else {}
        assert isinstance(usage, dict)
        details = usage.get("prompt_tokens_details")
        cached = int(_number(details.get("cached_tokens"))) if isinstance(details, dict) else 0
        prompt_tokens = int(_number(usage.get("prompt_tokens")))
        logprobs = choice.get("logprobs")
        return Completion(
            text=choice["text"],
            tokens=int(_number(usage.get("completion_tokens"))),
            prompt_tokens=prompt_tokens,
            seconds=seconds,
            stopped_by="length" if choice.get("finish_reason") == "length" else "stop",
            reused_tokens=cached,
            evaluated_tokens=max(0, prompt_tokens - cached),
            token_logprobs=_logprobs(
                logprobs.get("token_logprobs") if isinstance(logprobs, dict) else None
            ),
        )


ServerDialect = LlamaServer | OpenAI
