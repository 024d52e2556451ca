"""The remote backend against real servers with the default model: llama.cpp's llama-server
(native dialect) and llama-cpp-python's OpenAI-compatible server. The answer is written under the
grammar, a bad grammar is refused without harming the server, a request runs out of time or is
cancelled and the server carries on, and the whole engine writes a checked statement through it.

Each test needs the server's answer, never its speed (the deadlines are generous; the short ones
are meant to run out)."""

from __future__ import annotations

import re
import textwrap
import threading

import pytest
from eval.bench.inference_server import llama_server, openai_server

import logsmith
from logsmith.model import endpoint, remote
from logsmith.model.client import ModelRequestError
from logsmith.settings import Settings

pytestmark = pytest.mark.model

ANSWER_S = 300.0
PROMPT = "import logging\n\nlogger = logging.getLogger(__name__)\n\n\ndef save(path):\n    logger.info(\""
UNLIKELY = 'root ::= "zebra" [0-9] [0-9] "\\")"'
"""A grammar whose answer the model would never write by itself: proof that it was applied."""
SERVICE = textwrap.dedent('''
    import logging

    logger = logging.getLogger(__name__)


    def fetch_prices(client, symbol):
        try:
            return client.get(symbol)
        except ConnectionError as err:
            MARK
            raise
''')


@pytest.fixture(scope="module")
def server(default_model_path, tmp_path_factory):
    running = llama_server(default_model_path, tmp_path_factory.mktemp("llama-server")).start()
    yield running
    running.stop()


@pytest.fixture(scope="module")
def backend(server):
    made = remote.get_remote(endpoint.parse(server.url))
    assert made.wait_ready(60), made.last_error
    yield made
    made.close()


def test_llama_server_is_found_and_writes_under_the_grammar(backend, default_model_path):
    assert backend.backend == "llama-server" and backend.model_id == default_model_path.name
    done = backend.complete(PROMPT, grammar=UNLIKELY, max_tokens=12, stop=("\n",),
                            deadline_s=ANSWER_S)
    assert re.fullmatch(r'zebra\d\d"\)', done.text), done.text
    assert done.tokens >= 3 and len(done.token_logprobs) == done.tokens
    assert all(value <= 0.0 for value in done.token_logprobs)
    again = backend.complete(PROMPT, grammar=UNLIKELY, max_tokens=12, stop=("\n",),
                             deadline_s=ANSWER_S)
    assert again.reused_tokens > 0  # the prompt stayed in the server's cache


def test_warming_fills_the_servers_cache(backend):
    context = PROMPT.replace("save", "load") + "Loading"
    warmed = backend.warm(context, deadline_s=ANSWER_S)
    assert warmed.text == "" and warmed.prompt_tokens > 0 and warmed.stopped_by != "deadline"
    done = backend.complete(context, max_tokens=4, stop=("\n",), deadline_s=ANSWER_S)
    assert done.reused_tokens >= warmed.prompt_tokens - 1


def test_an_invalid_grammar_is_refused_and_the_server_stays_up(backend, server):
    with pytest.raises(ModelRequestError, match="parse grammar") as refused:
        backend.complete(PROMPT, grammar="root ::= (((", max_tokens=4, deadline_s=ANSWER_S)
    assert refused.value.kind == "grammar"
    assert server.alive and backend.state == "ready"
    assert backend.complete(PROMPT, grammar=UNLIKELY, max_tokens=12,
                            deadline_s=ANSWER_S).text.startswith("zebra")


def test_a_request_out_of_time_or_cancelled_ends_and_the_server_carries_on(backend, server):
    long_answer = dict(max_tokens=400, stop=(), grammar='root ::= [a-z ]+')
    assert backend.complete(PROMPT, deadline_s=0.05, **long_answer).stopped_by == "deadline"
    cancel = threading.Event()
    threading.Timer(0.3, cancel.set).start()
    assert backend.complete(PROMPT, deadline_s=ANSWER_S, cancel=cancel,
                            **long_answer).stopped_by == "cancelled"
    assert server.alive and backend.state == "ready"
    assert backend.complete(PROMPT, grammar=UNLIKELY, max_tokens=12,
                            deadline_s=ANSWER_S).text.startswith("zebra")


def test_the_engine_writes_a_checked_statement_through_the_server(backend, server):
    lines = SERVICE.split("\n")
    row = next(i for i, text in enumerate(lines) if "MARK" in text)
    lines[row] = "        logger."
    settings = Settings(model=server.url, latency_budget_ms=int(ANSWER_S * 1000))
    found = logsmith.suggest("\n".join(lines), row, len(lines[row]), settings=settings)
    top = found[0]
    answered = top.source == backend.model_id or any(
        "gave no usable message" in note for note in top.notes)
    assert answered, f"the server's model did not answer: {top.source} {top.notes}"
    assert top.statement.startswith("logger.")


def test_an_openai_compatible_server_is_found_and_honours_the_grammar(
    default_model_path, tmp_path_factory
):
    running = openai_server(default_model_path, tmp_path_factory.mktemp("openai")).start()
    try:
        made = remote.RemoteModel(endpoint.parse(running.url))
        made.start()
        assert made.wait_ready(60), made.last_error
        assert made.backend == "openai" and made.model_id == default_model_path.name
        # no logprobs: llama-cpp-python computes them over Gemma's whole vocabulary, slowly
        done = made.complete(PROMPT, grammar=UNLIKELY, max_tokens=12, stop=("\n",),
                             deadline_s=ANSWER_S, logprobs=False)
        assert re.fullmatch(r'zebra\d\d"\)', done.text), done.text
        assert done.prompt_tokens > 0 and done.tokens >= 3
        forced = remote.RemoteModel(endpoint.parse("openai+" + running.url))
        forced.start()
        assert forced.wait_ready(60) and forced.backend == "openai"
    finally:
        running.stop()
