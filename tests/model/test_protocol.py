"""The worker's message protocol (logsmith.model.protocol): every message survives the trip to JSON
and back, is written exactly as on the wire, and a malformed one is a ProtocolError that says
what is wrong, never another exception. The worker's dispatch is checked with a stand-in model;
no test here loads the real one."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys

import pytest

from logsmith.model import protocol, worker
from logsmith.model.protocol import (
    CancelRequest,
    CompleteRequest,
    CompletionResult,
    EmptyResult,
    ErrorReply,
    FailedEvent,
    OkReply,
    PingRequest,
    ProgressEvent,
    ProtocolError,
    ReadyEvent,
    ShutdownRequest,
    TokenizeRequest,
    TokensResult,
    WarmRequest,
)

COMPLETION = CompletionResult(
    text='logger.error("cannot read %s", path)',
    tokens=9,
    prompt_tokens=120,
    reused_tokens=100,
    evaluated_tokens=20,
    truncated_tokens=0,
    prompt_seconds=0.25,
    generation_seconds=0.5,
    seconds=0.75,
    stopped_by="stop",
    needed_seconds=0.4,
    threads=2,
    token_logprobs=(-0.5, -0.01, -2.25),
)
WARMED = dataclasses.replace(
    COMPLETION, text="", tokens=0, needed_seconds=None, token_logprobs=()
)

REQUESTS = [
    CompleteRequest(id=1, prompt="def f():\n    "),
    CompleteRequest(
        id=2,
        prompt="x",
        grammar='root ::= "a"',
        max_tokens=8,
        stop=("\n", ")"),
        temperature=0.7,
        always_try=True,
        deadline_s=0.8,
        seed=42,
    ),
    WarmRequest(id=3, prompt="import logging\n", deadline_s=10.0),
    WarmRequest(id=4, prompt="import logging\n"),
    TokenizeRequest(id=5, text="héllo"),
    PingRequest(id=6),
    ShutdownRequest(id=0),
    CancelRequest(target=2),
]
RESULTS = [COMPLETION, WARMED, TokensResult(tokens=(2, 506, 1000)), EmptyResult()]
REPLIES = [
    OkReply(id=1, result=COMPLETION),
    OkReply(id=3, result=WARMED),
    OkReply(id=5, result=TokensResult(tokens=(2, 1))),
    OkReply(id=6, result=EmptyResult()),
    ErrorReply(id=2, kind="grammar", error="invalid GBNF grammar: undefined rule"),
    ErrorReply(id=None, kind="request", error="unknown op 'dance'"),
]
EVENTS = [
    ProgressEvent(message="loading the model", percentage=10),
    ProgressEvent(message="loading"),
    ReadyEvent(load_seconds=1.5, n_ctx=2048, pid=4242),
    FailedEvent(error="llama.cpp cannot load model.gguf"),
]


def round_trip(message):
    """`message` written to a line and read back as the process at the other end reads it."""
    line = protocol.encode(message)
    assert line.endswith(b"\n") and line.count(b"\n") == 1
    decoded = protocol.decode(line)
    if isinstance(message, protocol._Message) and message._tag and message._tag[0] == "op":
        return protocol.parse_request(decoded)
    if isinstance(message, (OkReply, ErrorReply)):
        result_type = type(message.result) if isinstance(message, OkReply) else EmptyResult
        assert protocol.reply_id(decoded) == message.id and not protocol.is_event(decoded)
        return protocol.parse_reply(decoded, result_type)
    if isinstance(message, (ProgressEvent, ReadyEvent, FailedEvent)):
        assert protocol.is_event(decoded)
        return protocol.parse_event(decoded)
    return type(message).from_message(decoded)


def test_the_examples_cover_every_message_type():
    covered = {type(message) for message in REQUESTS + RESULTS + REPLIES + EVENTS}
    defined = {
        value
        for value in vars(protocol).values()
        if isinstance(value, type) and issubclass(value, protocol._Message)
    } - {protocol._Message}
    assert covered == defined
    ops = {"complete", "warm", "tokenize", "ping", "shutdown", "cancel"}
    assert set(protocol.REQUEST_TYPES) == ops
    assert set(protocol.EVENT_TYPES) == {"progress", "ready", "failed"}


@pytest.mark.parametrize("message", REQUESTS + RESULTS + REPLIES + EVENTS, ids=repr)
def test_every_message_survives_the_round_trip(message):
    again = round_trip(message)
    assert again == message and type(again) is type(message)
    assert again.to_message() == message.to_message()
    assert json.loads(json.dumps(message.to_message())) == message.to_message()


def test_requests_are_written_exactly_as_on_the_wire():
    complete = CompleteRequest(id=7, prompt="p", deadline_s=0.5)
    assert protocol.encode(complete) == (
        b'{"id":7,"op":"complete","prompt":"p","grammar":null,"max_tokens":48,"stop":["\\n"],'
        b'"temperature":0.0,"always_try":false,"deadline_s":0.5}\n'
    )
    seeded = CompleteRequest(id=7, prompt="p", seed=3)
    assert list(seeded.to_message())[-2:] == ["deadline_s", "seed"]
    assert protocol.encode(WarmRequest(id=8, prompt="p", deadline_s=2.0)) == (
        b'{"id":8,"op":"warm","prompt":"p","deadline_s":2.0}\n'
    )
    assert TokenizeRequest(id=9, text="t").to_message() == {"id": 9, "op": "tokenize", "text": "t"}
    assert PingRequest(id=10).to_message() == {"id": 10, "op": "ping"}
    assert protocol.encode(ShutdownRequest()) == b'{"id":0,"op":"shutdown"}\n'
    assert protocol.encode(CancelRequest(target=7)) == b'{"op":"cancel","target":7}\n'


def test_replies_and_events_are_written_exactly_as_on_the_wire():
    ok = OkReply(id=1, result=COMPLETION).to_message()
    assert list(ok) == ["id", "ok", "result"] and ok["ok"] is True
    assert list(ok["result"]) == [
        "text", "tokens", "prompt_tokens", "reused_tokens", "evaluated_tokens",
        "truncated_tokens", "prompt_seconds", "generation_seconds", "seconds", "stopped_by",
        "needed_seconds", "threads", "token_logprobs",
    ]  # fmt: skip
    assert "needed_seconds" not in WARMED.to_message()  # a "warm" result has none
    assert protocol.encode(OkReply(id=5, result=TokensResult(tokens=(2, 1)))) == (
        b'{"id":5,"ok":true,"result":{"tokens":[2,1]}}\n'
    )
    empty = OkReply(id=6, result=EmptyResult())
    assert protocol.encode(empty) == b'{"id":6,"ok":true,"result":{}}\n'
    assert ErrorReply(id=2, kind="grammar", error="bad").to_message() == {
        "id": 2, "ok": False, "kind": "grammar", "error": "bad",
    }  # fmt: skip
    assert protocol.encode(ProgressEvent(message="m", percentage=10)) == (
        b'{"event":"progress","message":"m","percentage":10}\n'
    )
    assert ReadyEvent(load_seconds=1.5, n_ctx=2048, pid=7).to_message() == {
        "event": "ready", "load_seconds": 1.5, "n_ctx": 2048, "pid": 7,
    }  # fmt: skip
    assert FailedEvent(error="e").to_message() == {"event": "failed", "error": "e"}


def test_a_request_read_gets_the_defaults_of_the_fields_it_leaves_out():
    request = protocol.parse_request({"id": 1, "op": "complete", "prompt": "x"})
    assert request == CompleteRequest(id=1, prompt="x")
    assert (request.grammar, request.max_tokens, request.stop, request.temperature) == (
        None, 48, ("\n",), 0.0,
    )  # fmt: skip
    assert (request.always_try, request.deadline_s, request.seed) == (False, None, None)
    assert protocol.parse_request({"id": 1, "op": "warm", "prompt": "x"}).deadline_s is None
    assert protocol.parse_request({"id": 1, "op": "complete", "prompt": "x", "deadline_s": None})
    assert protocol.parse_event({"event": "progress", "message": "m"}).percentage is None


def test_values_are_normalised_when_a_message_is_built():
    request = CompleteRequest(prompt="x", stop=["a", "b"], temperature=1, deadline_s=2)
    assert request.stop == ("a", "b") and request.temperature == 1.0
    assert isinstance(request.temperature, float) and isinstance(request.deadline_s, float)
    assert hash(request) == hash(
        CompleteRequest(prompt="x", stop=("a", "b"), temperature=1.0, deadline_s=2.0)
    )
    assert TokensResult(tokens=[1, 2]).tokens == (1, 2)
    assert dataclasses.replace(request, id=5).id == 5
    with pytest.raises(dataclasses.FrozenInstanceError):
        request.prompt = "y"


def test_the_result_type_of_each_request():
    assert CompleteRequest.result_type is WarmRequest.result_type is CompletionResult
    assert TokenizeRequest.result_type is TokensResult
    assert PingRequest.result_type is ShutdownRequest.result_type is EmptyResult
    assert CancelRequest.result_type is None


def complete(**fields):
    return {"id": 3, "op": "complete", "prompt": "x", **fields}


def ok(result, request_id=4):
    return {"id": request_id, "ok": True, "result": result}


MALFORMED_REQUESTS = [
    ([1, 2], None, r"malformed request: not a JSON object but a list"),
    ({"id": 3}, 3, r"unknown op None"),
    ({"id": 3, "op": "dance"}, 3, r"unknown op 'dance'"),
    ({"id": 3, "op": 7}, 3, r"unknown op 7"),
    ({"op": "ping"}, None, r"\"ping\" request: field 'id' is missing"),
    ({"id": "3", "op": "ping"}, None, r"field 'id' must be an integer, not the string \"3\""),
    ({"id": True, "op": "ping"}, None, r"field 'id' must be an integer, not true"),
    ({"id": 3, "op": "complete"}, 3, r"\"complete\" request: field 'prompt' is missing"),
    (complete(prompt=None), 3, r"field 'prompt' must be a string, not null"),
    (complete(max_tokens="8"), 3, r"field 'max_tokens' must be an integer, not the string \"8\""),
    (complete(max_tokens=8.0), 3, r"field 'max_tokens' must be an integer, not the number 8.0"),
    (complete(max_tokens=True), 3, r"field 'max_tokens' must be an integer, not true"),
    (complete(temperature="hot"), 3, r"field 'temperature' must be a finite number"),
    (complete(temperature=float("nan")), 3, r"field 'temperature' must be a finite number"),
    (complete(always_try=1), 3, r"field 'always_try' must be true or false, not the integer 1"),
    (complete(grammar=5), 3, r"field 'grammar' must be a string or null, not the integer 5"),
    (complete(stop="\n"), 3, r"field 'stop' must be a list of strings, not the string"),
    (complete(stop=["\n", 1]), 3, r"item 1 of field 'stop' must be a string, not the integer 1"),
    (complete(deadline_s=[]), 3, r"field 'deadline_s' must be a finite number or null, not a list"),
    (complete(max_token=8), 3, r"\"complete\" request: unknown field 'max_token'"),
    ({"id": 3, "op": "warm"}, 3, r"\"warm\" request: field 'prompt' is missing"),
    ({"id": 3, "op": "tokenize", "text": 1}, 3, r"field 'text' must be a string"),
    ({"op": "cancel"}, None, r"\"cancel\" request: field 'target' is missing"),
    ({"op": "cancel", "target": "3"}, None, r"field 'target' must be an integer"),
    ({"op": "cancel", "id": 3, "target": 2}, 3, r"\"cancel\" request: unknown field 'id'"),
]


@pytest.mark.parametrize(("message", "request_id", "error"), MALFORMED_REQUESTS)
def test_a_malformed_request_is_a_clear_error_with_its_id_when_readable(message, request_id, error):
    with pytest.raises(ProtocolError, match=error) as caught:
        protocol.parse_request(message)
    assert caught.value.request_id == request_id
    assert isinstance(caught.value, ValueError)


GOOD_RESULT = COMPLETION.to_message()

MALFORMED_REPLIES = [
    (
        "not an object",
        CompletionResult,
        None,
        r"malformed reply: not a JSON object but the string \"not an object\"",
    ),
    ({"id": 4}, CompletionResult, 4, r"malformed reply: 'ok' is null, not true or false"),
    ({"id": 4, "ok": 1, "result": {}}, EmptyResult, 4, r"'ok' is 1, not true or false"),
    ({"ok": True, "result": {}}, EmptyResult, None, r"ok reply: field 'id' is missing"),
    ({"id": 4, "ok": True}, EmptyResult, 4, r"ok reply: field 'result' is missing"),
    (
        ok([]),
        EmptyResult,
        4,
        r"ok reply to request 4: malformed empty result: not a JSON object but a list",
    ),
    (ok({"x": 1}), EmptyResult, 4, r"empty result: unknown field 'x'"),
    (
        ok({**GOOD_RESULT, "text": None}),
        CompletionResult,
        4,
        (
            r"ok reply to request 4: malformed completion result:"
            r" field 'text' must be a string, not null"
        ),
    ),
    (
        ok({k: v for k, v in GOOD_RESULT.items() if k != "threads"}),
        CompletionResult,
        4,
        r"completion result: field 'threads' is missing",
    ),
    (
        ok({**GOOD_RESULT, "stopped_by": "tired"}),
        CompletionResult,
        4,
        (
            r"field 'stopped_by' must be one of \"stop\", \"length\", \"deadline\", \"too_slow\","
            r" \"cancelled\", not the string \"tired\""
        ),
    ),
    (ok({**GOOD_RESULT, "seconds": "1"}), CompletionResult, 4, r"field 'seconds' must be a finite"),
    (ok({"tokens": [1, "2"]}), TokensResult, 4, r"item 1 of field 'tokens' must be an integer"),
    (
        ok(GOOD_RESULT),
        TokensResult,
        4,
        r"tokenize result: unknown fields 'evaluated_tokens', 'generation_seconds', ",
    ),
    (ok({}, request_id="4"), EmptyResult, None, r"field 'id' must be an integer or null"),
    ({"id": 4, "ok": False, "error": "e"}, EmptyResult, 4, r"error reply: field 'kind' is missing"),
    (
        {"id": 4, "ok": False, "kind": "boom", "error": "e"},
        EmptyResult,
        4,
        r"field 'kind' must be one of \"grammar\", \"request\", not the string \"boom\"",
    ),
    ({"id": 4, "ok": False, "kind": "request"}, EmptyResult, 4, r"field 'error' is missing"),
    (
        {"id": 4, "ok": False, "kind": "request", "error": "e", "result": {}},
        EmptyResult,
        4,
        r"error reply: unknown field 'result'",
    ),
]


@pytest.mark.parametrize(("message", "result_type", "request_id", "error"), MALFORMED_REPLIES)
def test_a_malformed_reply_is_a_clear_error(message, result_type, request_id, error):
    with pytest.raises(ProtocolError, match=error) as caught:
        protocol.parse_reply(message, result_type)
    assert caught.value.request_id == request_id


def test_the_id_of_a_reply_is_read_before_the_reply():
    assert protocol.reply_id({"id": 4, "ok": True, "result": {"anything": 1}}) == 4
    assert protocol.reply_id({"id": None, "ok": False}) is None
    with pytest.raises(ProtocolError, match="reply: field 'id' is missing"):
        protocol.reply_id({"ok": True})
    with pytest.raises(ProtocolError, match="reply: field 'id' is a list, not an integer"):
        protocol.reply_id({"id": [4]})
    with pytest.raises(ProtocolError, match="not a JSON object"):
        protocol.reply_id(None)


MALFORMED_EVENTS = [
    ({"event": "dance"}, r"unknown event 'dance'"),
    ({"event": None}, r"unknown event None"),
    (["event"], r"malformed event: not a JSON object but a list"),
    ({"event": "progress"}, r"\"progress\" event: field 'message' is missing"),
    (
        {"event": "progress", "message": "m", "percentage": "10%"},
        r"field 'percentage' must be an integer or null, not the string \"10%\"",
    ),
    (
        {"event": "ready", "load_seconds": 1.0, "n_ctx": 2048},
        r"\"ready\" event: field 'pid' is missing",
    ),
    (
        {"event": "ready", "load_seconds": 1.0, "n_ctx": "2048", "pid": 1},
        r"field 'n_ctx' must be an integer",
    ),
    ({"event": "failed"}, r"\"failed\" event: field 'error' is missing"),
    ({"event": "failed", "error": "e", "id": 1}, r"\"failed\" event: unknown field 'id'"),
]


@pytest.mark.parametrize(("message", "error"), MALFORMED_EVENTS)
def test_a_malformed_event_is_a_clear_error(message, error):
    with pytest.raises(ProtocolError, match=error):
        protocol.parse_event(message)


@pytest.mark.parametrize(
    ("line", "error"),
    [
        (b"not json\n", r"a line that is not JSON: b'not json\\n'"),
        (b"", r"a line that is not JSON"),
        (b'{"id": 1\n', r"a line that is not JSON"),
        (b"[1]\n", r"a line that is not a JSON object"),
        (b"null\n", r"a line that is not a JSON object"),
        (b"\xff\xfe\n", r"a line that is not JSON"),
    ],
)
def test_a_line_that_is_not_a_json_object_is_a_clear_error(line, error):
    with pytest.raises(ProtocolError, match=error):
        protocol.decode(line)


def test_a_message_of_another_kind_is_not_read_as_this_one():
    with pytest.raises(ProtocolError, match=r"\"warm\" request: 'op' is not \"warm\""):
        WarmRequest.from_message({"id": 1, "op": "complete", "prompt": "x"})
    with pytest.raises(ProtocolError, match=r"error reply: 'ok' is not false"):
        ErrorReply.from_message({"id": 1, "ok": True, "result": {}})
    with pytest.raises(ProtocolError, match=r"\"ready\" event: 'event' is not \"ready\""):
        ReadyEvent.from_message({"event": "failed", "error": "e"})


def test_a_message_built_with_a_wrong_value_is_a_clear_error():
    with pytest.raises(ProtocolError, match=r"request: field 'prompt' must be a string, not null"):
        CompleteRequest(prompt=None)
    with pytest.raises(ProtocolError, match=r"field 'stopped_by' must be one of"):
        dataclasses.replace(COMPLETION, stopped_by="done")
    with pytest.raises(
        ProtocolError,
        match=r"ok reply: field 'result' must be a completion result"
        r" or a tokenize result or an empty result",
    ):
        OkReply(id=1, result={"tokens": []})
    with pytest.raises(ProtocolError, match=r"field 'kind' must be one of") as caught:
        ErrorReply(id=9, kind="fatal", error="e")
    assert caught.value.request_id == 9


VALUES = [None, True, 0, -1, 2.5, float("inf"), "", "x", [], [1], ["x"], {}, {"a": 1}]


@pytest.mark.parametrize("message", REQUESTS + REPLIES + EVENTS, ids=repr)
def test_any_field_missing_or_of_any_type_is_read_or_a_protocol_error_never_a_crash(message):
    """Each key of each message removed, and its value replaced by values of every JSON type: the
    result is a message or a ProtocolError, never a KeyError or a TypeError deep inside."""
    wire = message.to_message()
    if isinstance(message, OkReply):
        variants = [dict(wire, result=dict(wire["result"]))]
        for key in wire["result"]:
            without = {k: v for k, v in wire["result"].items() if k != key}
            variants.append(dict(wire, result=without))
            variants += [dict(wire, result={**wire["result"], key: value}) for value in VALUES]
    else:
        variants = []
    for key in wire:
        variants.append({k: v for k, v in wire.items() if k != key})
        variants += [{**wire, key: value} for value in VALUES]
    for variant in variants:
        try:
            read = round_trip_dict(message, variant)
        except ProtocolError as exc:
            assert str(exc).startswith(("malformed", "unknown")), exc
        else:
            assert type(read) is type(message)


def round_trip_dict(message, wire):
    if isinstance(message, (OkReply, ErrorReply)):
        protocol.reply_id(wire)
        result_type = type(message.result) if isinstance(message, OkReply) else EmptyResult
        return protocol.parse_reply(wire, result_type)
    if isinstance(message, (ProgressEvent, ReadyEvent, FailedEvent)):
        return protocol.parse_event(wire)
    return protocol.parse_request(wire)


def test_the_protocol_imports_nothing_heavy():
    """Both processes import it: the caller's process must never load llama_cpp (or numpy)."""
    script = (
        "import sys, logsmith.model.protocol\n"
        "print(sorted(m for m in ('llama_cpp', 'numpy') if m in sys.modules))"
    )
    argv = [sys.executable, "-c", script]
    done = subprocess.run(argv, check=False, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


# ------------------------------------------------------------- the worker's dispatch, no model


class FakeModel:
    """Stands in for worker.LoadedModel: answers without llama.cpp."""

    n_ctx = 2048

    def __init__(self):
        self.forgotten = 0

    def tokenize(self, text):
        return [2] + [ord(char) for char in text]

    def complete(self, request, should_stop):
        if request.grammar == "bad":
            raise worker.RequestError("invalid GBNF grammar: bad", kind="grammar")
        if request.prompt == "boom":
            raise RuntimeError("native trouble")
        return dataclasses.replace(COMPLETION, stopped_by=should_stop() or "stop")

    def warm(self, request, should_stop):
        return WARMED

    def forget_cache(self):
        self.forgotten += 1


class FakeInbox:
    def __init__(self, lines):
        self._items = []
        for line in lines:
            try:
                self._items.append(protocol.parse_request(protocol.decode(line)))
            except ProtocolError as exc:
                self._items.append(exc)

    def next_request(self):
        return self._items.pop(0)

    def is_cancelled(self, request_id):
        return request_id == 13


class FakeChannel:
    def __init__(self):
        self.lines = []

    def send(self, message):
        self.lines.append(protocol.encode(message))


def test_the_worker_answers_every_request_and_every_malformed_one_in_turn():
    lines = [
        protocol.encode(PingRequest(id=1)),
        b'{"id":2,"op":"complete"}\n',
        b'{"id":3,"op":"dance"}\n',
        protocol.encode(TokenizeRequest(id=4, text="ab")),
        protocol.encode(CompleteRequest(id=5, prompt="x", grammar="bad")),
        protocol.encode(CompleteRequest(id=6, prompt="boom")),
        protocol.encode(WarmRequest(id=7, prompt="x", deadline_s=5.0)),
        protocol.encode(CompleteRequest(id=13, prompt="x")),
        b'{"op":"ping"}\n',
        protocol.encode(ShutdownRequest(id=0)),
        protocol.encode(PingRequest(id=99)),  # never read: the worker has shut down
    ]
    model, channel = FakeModel(), FakeChannel()
    worker.serve(model, FakeInbox(lines), channel)
    replies = {}
    for line in channel.lines:
        message = protocol.decode(line)
        request_id = protocol.reply_id(message)
        result_type = {4: TokensResult, 7: CompletionResult, 13: CompletionResult}.get(
            request_id, EmptyResult
        )
        replies[request_id] = protocol.parse_reply(message, result_type)
    assert sorted(replies, key=str) == sorted([0, 1, 2, 3, 4, 5, 6, 7, 13, None], key=str)
    assert replies[1] == OkReply(id=1, result=EmptyResult())
    assert replies[2].kind == "request" and "field 'prompt' is missing" in replies[2].error
    assert replies[3] == ErrorReply(id=3, kind="request", error="unknown op 'dance'")
    assert replies[4].result.tokens == (2, 97, 98)
    assert replies[5] == ErrorReply(id=5, kind="grammar", error="invalid GBNF grammar: bad")
    assert replies[6] == ErrorReply(id=6, kind="request", error="RuntimeError: native trouble")
    assert model.forgotten == 1  # after an unexpected error the KV cache starts afresh
    assert replies[7].result == WARMED
    assert replies[13].result.stopped_by == "cancelled"
    assert replies[None].kind == "request" and "field 'id' is missing" in replies[None].error
    assert replies[0] == OkReply(id=0, result=EmptyResult())
    assert protocol.decode(channel.lines[-1]) == {"id": 0, "ok": True, "result": {}}
