"""What the chosen tokens' log-probabilities cost the model worker: the time `TokenSampler` spends
computing them, per token, against the whole time per generated token (sampling, the
log-probability and the model's step).

The model is loaded in this process (`logsmith.model.worker.LoadedModel`, as the worker loads it)
and completes logsmith's own prompt and grammar at the first `--limit` dev cases (after a pause:
the prompt is evaluated first, not timed); the log-probability function is wrapped with a timer.

    python -m eval.bench.token_logprobs --limit 20
    python -m eval.bench.token_logprobs --model qwen2.5-coder-0.5b --threads 1
"""

from __future__ import annotations

import argparse
import os
import sys
import time

from eval.bench import machine
from eval.bench.engine import ordered_cases
from eval.corpus import build as corpus


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.bench.token_logprobs", description=__doc__.split("\n")[0])
    parser.add_argument("--model", default=None, help="registry name or GGUF path (default: logsmith's default)")
    parser.add_argument("--limit", type=int, default=20)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args(argv)

    from logsmith.engines import model_engine
    from logsmith.engines import prompt as prompts
    from logsmith.model import registry
    from logsmith.model import worker as model_worker
    from logsmith.model.protocol import CompleteRequest, WarmRequest
    from logsmith.pipeline import Request, facts_of, plan_for, site_at
    from logsmith.settings import Settings
    from logsmith.syntax.document import ParsedDocument

    settings = Settings(model=args.model)
    choice = registry.resolve(settings)
    model = model_worker.LoadedModel(str(choice.path), args.threads, 2048, 256, model_worker.LlamaLog(os.dup(2)))
    spent = [0.0, 0]
    computed = model_worker.TokenSampler._logprob

    def timed(sampler, token):
        began = time.perf_counter()
        value = computed(sampler, token)
        spent[0] += time.perf_counter() - began
        spent[1] += 1
        return value

    model_worker.TokenSampler._logprob = timed  # type: ignore[method-assign]
    cases = ordered_cases(corpus.cases_for_split(corpus.load_cases(), corpus.load_projects(), "dev"))[:args.limit]
    generation_s = tokens = 0
    for case in cases:
        path, source = corpus.case_source(case)
        masked = corpus.mask(source, case)
        document = ParsedDocument(masked.source)
        site = site_at(masked.source, masked.line, masked.character, document=document)
        plan = plan_for(site, Request(document, masked.line, masked.character, str(path), settings, time.perf_counter()))
        context = model_engine.context_for(document, site, facts_of(document))
        model.warm(WarmRequest(prompt=context), lambda ahead=0.0: None)
        request = CompleteRequest(prompt=context + prompts.opening(site, plan), grammar=prompts.grammar(site, plan),
                                  max_tokens=48)
        result = model.complete(request, lambda ahead=0.0: None)
        generation_s += result.generation_seconds
        tokens += len(result.token_logprobs)
    per_token_ms = 1000 * spent[0] / max(spent[1], 1)
    step_ms = 1000 * generation_s / max(tokens, 1)
    print(f"{choice.model_id}, {args.threads} threads, {len(cases)} dev cases, {tokens} tokens, "
          f"load {machine.load_average()}: the log-probability {per_token_ms:.2f} ms a token, "
          f"a generated token {step_ms:.1f} ms in all ({100 * per_token_ms / step_ms:.1f} %)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
