"""The messages between the caller (`client.ModelWorker`) and the model worker process, as
types.

Both processes import this module, so it imports nothing heavy (no llama_cpp, no numpy) and
nothing else of logsmith.

On the wire each message is one JSON object on one line (UTF-8, compact separators): the caller
writes requests to the worker's stdin, the worker writes replies and events to its private copy
of stdout. Here each message is a frozen dataclass. `to_message()` gives its JSON object and
`from_message()` reads one back; `encode()` and `decode()` turn those into lines and back. A
message's keys are its fields' names, plus the key saying what it is ("op", "ok" or "event").
Every message read or built is checked: a line that is not a JSON object, an unknown "op" or
"event", a missing, unknown or mistyped field raises ProtocolError, which says what is wrong.

Requests, each with an integer "id" the reply carries back ("cancel" has none and no reply):
  {"op": "complete", "prompt", "grammar", "max_tokens", "stop", "temperature", "always_try",
   "deadline_s", "seed"}                     CompleteRequest: continue the prompt (see below)
  {"op": "warm", "prompt", "deadline_s"}     WarmRequest: evaluate the prompt into the KV cache,
                                             generate nothing
  {"op": "tokenize", "text"}                 TokenizeRequest: token ids, as the model sees the text
  {"op": "ping"}                             PingRequest: a round trip, to measure the IPC overhead
  {"op": "shutdown"}                         ShutdownRequest: answer, then exit
  {"op": "cancel", "target": ID}             CancelRequest: stop request ID between two tokens
A "complete" request's defaults: "grammar" null (none; else GBNF text with a rule "root"),
"max_tokens" 48, "stop" ["\\n"], "temperature" 0.0 (greedy), "always_try" false, "deadline_s"
null (no deadline; else seconds from when the worker reads the request, as for "warm"), "seed"
absent (a random seed). "always_try": start even when the answer cannot end in time (see below).

Replies:
  {"id", "ok": true, "result": {...}}                        OkReply
  {"id", "ok": false, "kind": "grammar"|"request", "error"}  ErrorReply: "grammar" for an invalid
                                                             GBNF grammar, "request" otherwise
The "id" of a reply to a request whose id could not be read is null. The result of "complete"
and "warm" is a CompletionResult, of "tokenize" a TokensResult {"tokens": [ids]}, of "ping" and
"shutdown" an EmptyResult {}.

Events, which the worker sends while it starts:
  {"event": "progress", "message", "percentage"}     ProgressEvent: loading the model
  {"event": "ready", "load_seconds", "n_ctx", "pid"} ReadyEvent: requests are served from now on
  {"event": "failed", "error"}                       FailedEvent: the model cannot be loaded; the
                                                     worker exits

A CompletionResult carries: text, tokens, prompt_tokens, reused_tokens (prompt tokens already in
the KV cache), evaluated_tokens, truncated_tokens (oldest prompt tokens dropped to fit the
context), prompt_seconds, generation_seconds, seconds, stopped_by ("stop", "length", "deadline",
"too_slow" or "cancelled"), needed_seconds (only for "complete": the expected time for the
uncached prompt and a short answer, from the measured rates), threads (the thread count used:
fewer than asked while other processes keep the cores busy) and token_logprobs (the
log-probability of each token the model chose, the one that ended the answer included; none for
"warm"). "too_slow": the completion was not
started because it could not end before the deadline; never so with "always_try": true, which
only the deadline stops. A "warm" result has no text, no tokens and no needed_seconds.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import math
import types
import typing
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal, Self

StopReason = Literal["stop", "length", "deadline", "too_slow", "cancelled"]
"""Why a completion ended (see the module docstring)."""
ErrorKind = Literal["grammar", "request"]
"""Why a request was refused: an invalid GBNF grammar, or anything else."""

_OMITTED_IF_NONE = {"omitted_if_none": True}
"""Field metadata: a None value is left out of the message, not written as null."""
_MISSING = object()


class ProtocolError(ValueError):
    """A message that is not what the protocol says. `request_id` is the id of the request it is
    or answers, when one could be read (so the worker can answer a malformed request, and the
    caller fail the request a malformed reply answers); else None."""

    def __init__(self, message: str, request_id: int | None = None):
        super().__init__(message)
        self.request_id = request_id


class _Message:
    """A message as a frozen dataclass: checked when built, converted to and from JSON objects."""

    _tag: ClassVar[tuple[str, Any] | None] = None
    """The key and value that say which message this is, e.g. ("op", "ping"); None in a result."""
    _name: ClassVar[str]
    """What errors call this message."""
    __dataclass_fields__: ClassVar[dict[str, dataclasses.Field[Any]]]
    """Set by @dataclass on each message class (declared here for the type checker)."""

    def __post_init__(self) -> None:
        kind: type = type(self)  # a plain class: mypy wrongly finds type[Self] unhashable
        hints = _hints(kind)
        request_id = _readable_id(getattr(self, "id", None))
        for spec in dataclasses.fields(self):
            value = getattr(self, spec.name)
            checked = _check(value, hints[spec.name], self._name, spec.name, request_id)
            if checked is not value:
                object.__setattr__(self, spec.name, checked)

    def to_message(self) -> dict[str, Any]:
        """The JSON object of this message: "id" first, then the tag, then the other fields."""
        message: dict[str, Any] = {}
        specs = dataclasses.fields(self)
        if any(spec.name == "id" for spec in specs):
            message["id"] = getattr(self, "id")
        if self._tag is not None:
            message[self._tag[0]] = self._tag[1]
        for spec in specs:
            value = getattr(self, spec.name)
            if spec.name == "id" or value is None and spec.metadata.get("omitted_if_none"):
                continue
            message[spec.name] = _to_json(value)
        return message

    @classmethod
    def from_message(cls, message: object) -> Self:
        """The message of this type in `message` (a decoded JSON object); ProtocolError if it is
        not one."""
        return cls(**cls._fields_of(message))

    @classmethod
    def _fields_of(cls, message: object) -> dict[str, Any]:
        """The fields in `message`, after checking its tag and that no field is missing or unknown
        (their values are checked when the message is built)."""
        request_id = _readable_id(message.get("id") if isinstance(message, dict) else None)
        if not isinstance(message, dict):
            raise ProtocolError(
                f"malformed {cls._name}: not a JSON object but {_json_type(message)}", request_id
            )
        specs = dataclasses.fields(cls)
        known = {spec.name for spec in specs}
        if cls._tag is not None:
            key, expected = cls._tag
            found = message.get(key, _MISSING)
            if type(found) is not type(expected) or found != expected:
                wanted = json.dumps(expected)
                raise ProtocolError(f"malformed {cls._name}: {key!r} is not {wanted}", request_id)
            known.add(key)
        unknown = sorted(str(key) for key in message if key not in known)
        if unknown:
            names = ("field " if len(unknown) == 1 else "fields ") + ", ".join(map(repr, unknown))
            raise ProtocolError(f"malformed {cls._name}: unknown {names}", request_id)
        for spec in specs:
            if spec.name not in message and (spec.name == "id" or _is_required(spec)):
                raise ProtocolError(
                    f"malformed {cls._name}: field {spec.name!r} is missing", request_id
                )
        return {spec.name: message[spec.name] for spec in specs if spec.name in message}


def _is_required(spec: dataclasses.Field) -> bool:
    return spec.default is dataclasses.MISSING and spec.default_factory is dataclasses.MISSING


# ------------------------------------------------------------------------------------- results


@dataclass(frozen=True, kw_only=True)
class CompletionResult(_Message):
    """What a "complete" or "warm" request did (see the module docstring for each field)."""

    _name = "completion result"

    text: str
    tokens: int
    prompt_tokens: int
    reused_tokens: int
    evaluated_tokens: int
    truncated_tokens: int
    prompt_seconds: float
    generation_seconds: float
    seconds: float
    stopped_by: StopReason
    needed_seconds: float | None = field(default=None, metadata=_OMITTED_IF_NONE)
    """Only in the result of "complete"; None (left out of the message) in that of "warm"."""
    threads: int
    token_logprobs: tuple[float, ...] = ()
    """The log-probability of each token the model chose, the last one (the end of text or the
    token holding the stop string) included; empty in the result of "warm"."""


@dataclass(frozen=True, kw_only=True)
class TokensResult(_Message):
    """The result of "tokenize"."""

    _name = "tokenize result"

    tokens: tuple[int, ...]


@dataclass(frozen=True, kw_only=True)
class EmptyResult(_Message):
    """The result of "ping" and "shutdown": an empty object."""

    _name = "empty result"


Result = CompletionResult | TokensResult | EmptyResult


# ------------------------------------------------------------------------------------ requests


@dataclass(frozen=True, kw_only=True)
class CompleteRequest(_Message):
    """Continue `prompt`: until a stop string, the end of text, `max_tokens`, the deadline or a
    cancel. Answered with a CompletionResult."""

    _tag = ("op", "complete")
    _name = '"complete" request'
    result_type: ClassVar[type[CompletionResult]] = CompletionResult

    id: int = 0
    """Set by the connection that sends the request; required on the wire (as in every request
    but "cancel")."""
    prompt: str
    grammar: str | None = None
    """GBNF text with a rule "root" the answer must match; None: no grammar."""
    max_tokens: int = 48
    stop: tuple[str, ...] = ("\n",)
    """The answer ends before the first of these strings (empty ones are ignored)."""
    temperature: float = 0.0
    """0: greedy; else top-k/top-p/min-p sampling at this temperature."""
    always_try: bool = False
    """Start even when the prompt and an answer cannot end before the deadline."""
    deadline_s: float | None = None
    """Seconds from when the worker reads the request; None: no deadline."""
    seed: int | None = field(default=None, metadata=_OMITTED_IF_NONE)
    """The sampling seed; None (left out of the message): a random one."""


@dataclass(frozen=True, kw_only=True)
class WarmRequest(_Message):
    """Evaluate `prompt` into the KV cache and generate nothing, so the next request sharing its
    prefix only pays for the rest. Answered with a CompletionResult without text."""

    _tag = ("op", "warm")
    _name = '"warm" request'
    result_type: ClassVar[type[CompletionResult]] = CompletionResult

    id: int = 0
    prompt: str
    deadline_s: float | None = None
    """Seconds from when the worker reads the request; None: no deadline."""


@dataclass(frozen=True, kw_only=True)
class TokenizeRequest(_Message):
    """The token ids of `text` as the model sees it (with BOS when the model adds one). Answered
    with a TokensResult."""

    _tag = ("op", "tokenize")
    _name = '"tokenize" request'
    result_type: ClassVar[type[TokensResult]] = TokensResult

    id: int = 0
    text: str


@dataclass(frozen=True, kw_only=True)
class PingRequest(_Message):
    """A round trip, answered with an EmptyResult: the fixed cost of the process boundary."""

    _tag = ("op", "ping")
    _name = '"ping" request'
    result_type: ClassVar[type[EmptyResult]] = EmptyResult

    id: int = 0


@dataclass(frozen=True, kw_only=True)
class ShutdownRequest(_Message):
    """Answered with an EmptyResult, after which the worker exits."""

    _tag = ("op", "shutdown")
    _name = '"shutdown" request'
    result_type: ClassVar[type[EmptyResult]] = EmptyResult

    id: int = 0


@dataclass(frozen=True, kw_only=True)
class CancelRequest(_Message):
    """Stop request `target` at its next check (between two tokens or prompt slices); it is then
    answered with what it has so far, `stopped_by` "cancelled". No id, no reply of its own."""

    _tag = ("op", "cancel")
    _name = '"cancel" request'
    result_type: ClassVar[None] = None

    target: int


AnsweredRequest = CompleteRequest | WarmRequest | TokenizeRequest | PingRequest | ShutdownRequest
"""A request with an id, answered by a reply (every request but "cancel")."""
Request = AnsweredRequest | CancelRequest
REQUEST_TYPES: dict[str, type[Request]] = {
    kind._tag[1]: kind
    for kind in (
        CompleteRequest,
        WarmRequest,
        TokenizeRequest,
        PingRequest,
        ShutdownRequest,
        CancelRequest,
    )
}
"""The request class of each "op"."""


# ------------------------------------------------------------------------------------- replies


@dataclass(frozen=True, kw_only=True)
class OkReply(_Message):
    """A request served: its `result`, of the request's `result_type`."""

    _tag = ("ok", True)
    _name = "ok reply"

    id: int | None
    result: Result

    @classmethod
    def from_message(cls, message: object, result_type: type[Result] = EmptyResult) -> Self:
        """The reply in `message`, its result read as a `result_type` (which the reply does not
        say: it is the `result_type` of the request it answers)."""
        fields = cls._fields_of(message)
        request_id = _readable_id(fields["id"])
        try:
            result = result_type.from_message(fields["result"])
        except ProtocolError as exc:
            problem = f"malformed ok reply to request {request_id}: {exc}"
            raise ProtocolError(problem, request_id) from None
        return cls(id=fields["id"], result=result)


@dataclass(frozen=True, kw_only=True)
class ErrorReply(_Message):
    """A request refused: "grammar" for an invalid GBNF grammar, "request" for anything else (a
    malformed request, a bad value, an error in the worker); `error` says what was wrong."""

    _tag = ("ok", False)
    _name = "error reply"

    id: int | None
    kind: ErrorKind
    error: str


Reply = OkReply | ErrorReply


# -------------------------------------------------------------------------------------- events


@dataclass(frozen=True, kw_only=True)
class ProgressEvent(_Message):
    """How far loading the model has come, for a progress report."""

    _tag = ("event", "progress")
    _name = '"progress" event'

    message: str
    percentage: int | None = None


@dataclass(frozen=True, kw_only=True)
class ReadyEvent(_Message):
    """The model is loaded and warmed up: requests are served from now on."""

    _tag = ("event", "ready")
    _name = '"ready" event'

    load_seconds: float
    n_ctx: int
    """The context window, in tokens."""
    pid: int


@dataclass(frozen=True, kw_only=True)
class FailedEvent(_Message):
    """The model cannot be loaded: `error` says why; the worker exits."""

    _tag = ("event", "failed")
    _name = '"failed" event'

    error: str


Event = ProgressEvent | ReadyEvent | FailedEvent
EVENT_TYPES: dict[str, type[Event]] = {
    kind._tag[1]: kind for kind in (ProgressEvent, ReadyEvent, FailedEvent)
}
"""The event class of each "event"."""


# ------------------------------------------------------------------------- lines and dispatch


def encode(message: _Message) -> bytes:
    """The line that carries `message`, newline included."""
    return (json.dumps(message.to_message(), separators=(",", ":")) + "\n").encode("utf-8")


def decode(line: bytes | str) -> dict[str, Any]:
    """The JSON object on `line`; ProtocolError if it holds none."""
    try:
        message = json.loads(line)
    except ValueError:
        raise ProtocolError(f"a line that is not JSON: {line[:80]!r}") from None
    if not isinstance(message, dict):
        raise ProtocolError(f"a line that is not a JSON object: {line[:80]!r}")
    return message


def parse_request(message: object) -> Request:
    """The request in `message`, of the type its "op" says."""
    request_id = _readable_id(message.get("id") if isinstance(message, dict) else None)
    if not isinstance(message, dict):
        raise ProtocolError(f"malformed request: not a JSON object but {_json_type(message)}")
    op = message.get("op")
    kind = REQUEST_TYPES.get(op) if isinstance(op, str) else None
    if kind is None:
        raise ProtocolError(f"unknown op {op!r}", request_id)
    return kind.from_message(message)


def is_event(message: dict[str, Any]) -> bool:
    """Whether a message from the worker is an event (else it is a reply)."""
    return "event" in message


def parse_event(message: object) -> Event:
    """The event in `message`, of the type its "event" says."""
    if not isinstance(message, dict):
        raise ProtocolError(f"malformed event: not a JSON object but {_json_type(message)}")
    kind = message.get("event")
    event_type = EVENT_TYPES.get(kind) if isinstance(kind, str) else None
    if event_type is None:
        raise ProtocolError(f"unknown event {kind!r}")
    return event_type.from_message(message)


def reply_id(message: object) -> int | None:
    """The id of the request a reply answers (None: one whose id could not be read), so the
    reply can be read as that request's `result_type`."""
    if not isinstance(message, dict):
        raise ProtocolError(f"malformed reply: not a JSON object but {_json_type(message)}")
    found = message.get("id", _MISSING)
    if found is _MISSING:
        raise ProtocolError("malformed reply: field 'id' is missing")
    if found is not None and _readable_id(found) is None:
        raise ProtocolError(f"malformed reply: field 'id' is {_json_type(found)}, not an integer")
    return found


def parse_reply(message: object, result_type: type[Result] = EmptyResult) -> Reply:
    """The reply in `message`: an OkReply whose result is read as a `result_type`, or an
    ErrorReply."""
    request_id = _readable_id(message.get("id") if isinstance(message, dict) else None)
    if not isinstance(message, dict):
        raise ProtocolError(f"malformed reply: not a JSON object but {_json_type(message)}")
    ok = message.get("ok")
    if ok is True:
        return OkReply.from_message(message, result_type)
    if ok is False:
        return ErrorReply.from_message(message)
    raise ProtocolError(f"malformed reply: 'ok' is {json.dumps(ok)}, not true or false", request_id)


# ----------------------------------------------------------------------------- field checking


@functools.cache
def _hints(kind: type) -> dict[str, Any]:
    return typing.get_type_hints(kind)


def _readable_id(value: object) -> int | None:
    """`value` if it can be a request id (an integer), else None."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _check(value: Any, hint: Any, name: str, field_name: str, request_id: int | None) -> Any:
    """`value` as field `field_name` of a `name` holds it (a list becomes a tuple, an integer a
    float where a number is wanted); ProtocolError if it has the wrong type."""
    checked = _checked(value, hint)
    if checked is not _MISSING:
        return checked
    where, wanted = f"field {field_name!r}", hint
    if typing.get_origin(hint) is tuple and isinstance(value, (list, tuple)):
        item_type = typing.get_args(hint)[0]
        index = next(i for i, item in enumerate(value) if _checked(item, item_type) is _MISSING)
        where, wanted, value = f"item {index} of {where}", item_type, value[index]
    problem = f"{where} must be {_describe(wanted)}, not {_json_type(value)}"
    raise ProtocolError(f"malformed {name}: {problem}", request_id)


def _checked(value: Any, hint: Any) -> Any:
    """`value` as a field of type `hint` holds it, or _MISSING if it does not fit."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        if value is None:
            return None if type(None) in args else _MISSING
        for arg in args:
            checked = _MISSING if arg is type(None) else _checked(value, arg)
            if checked is not _MISSING:
                return checked
        return _MISSING
    if origin is Literal:
        return value if isinstance(value, str) and value in args else _MISSING
    if origin is tuple:
        if not isinstance(value, (list, tuple)):
            return _MISSING
        items = tuple(_checked(item, args[0]) for item in value)
        if any(item is _MISSING for item in items):
            return _MISSING
        return items
    if hint is bool:
        return value if isinstance(value, bool) else _MISSING
    if hint is int:
        return value if _readable_id(value) is not None else _MISSING
    if hint is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return _MISSING
        return float(value) if math.isfinite(value) else _MISSING
    if isinstance(hint, type):
        return value if isinstance(value, hint) else _MISSING
    raise TypeError(f"no check for fields of type {hint!r}")


def _describe(hint: Any) -> str:
    """What a field of type `hint` holds, in words."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        return " or ".join("null" if arg is type(None) else _describe(arg) for arg in args)
    if origin is Literal:
        return "one of " + ", ".join(json.dumps(arg) for arg in args)
    if origin is tuple:
        return "a list of " + {str: "strings", int: "integers"}.get(args[0], _describe(args[0]))
    words = {bool: "true or false", int: "an integer", float: "a finite number", str: "a string"}
    if hint in words:
        return words[hint]
    name = getattr(hint, "_name", hint.__name__)
    return f"{'an' if name[0] in 'aeiou' else 'a'} {name}"


def _json_type(value: object) -> str:
    """What `value` is, in JSON's words."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return json.dumps(value)
    if isinstance(value, int):
        return f"the integer {value}"
    if isinstance(value, float):
        return f"the number {value}"
    if isinstance(value, str):
        return f"the string {json.dumps(value)}" if len(value) <= 40 else "a string"
    if isinstance(value, (list, tuple)):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def _to_json(value: Any) -> Any:
    if isinstance(value, tuple):
        return [_to_json(item) for item in value]
    if isinstance(value, _Message):
        return value.to_message()
    return value
