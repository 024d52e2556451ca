"""Unit tests of the server's plumbing, in process: positions, documents, triggers, offers, settings, requests.

Everything a user reaches is also covered end to end (test_lsp_features, test_lsp_robustness).
"""

from __future__ import annotations

import asyncio
import dataclasses
from concurrent.futures import Future
from pathlib import Path

import pytest

from logsmith.server.commands import suggestion_id_in
from logsmith.server.config import ServerSettings, editor_options
from logsmith.server.documents import OpenDocument, split_lines
from logsmith.server.main import parse_address
from logsmith.server.offers import OfferLedger
from logsmith.server.positions import UTF8, UTF16, UTF32, from_code_points, to_code_points
from logsmith.server.requests import RequestTracker
from logsmith.server.triggers import completion_wanted, inline_wanted, may_be_typing_log
from logsmith.settings import Settings
from logsmith.suggestion import Suggestion, TextEdit
from logsmith.syntax.document import ParsedDocument
from logsmith.syntax.site import site_at


@pytest.mark.parametrize("encoding, client_column, code_points", [
    (UTF16, 3, 2),   # "a😀b": the emoji is two UTF-16 units
    (UTF16, 2, 1),   # inside the surrogate pair: start of the character
    (UTF8, 5, 2),    # the emoji is four UTF-8 bytes
    (UTF32, 2, 2),
    (UTF16, 99, 3),  # past the end: clamped
])
def test_client_columns_to_code_points(encoding, client_column, code_points):
    assert to_code_points("a😀b", client_column, encoding) == code_points


def test_code_points_to_client_columns():
    assert from_code_points("a😀b", 2, UTF16) == 3
    assert from_code_points("é = 1", 1, UTF8) == 2
    assert from_code_points("abc", 5, UTF16) == 5


def test_split_lines_keeps_line_count_of_parsed_document():
    for text in ("", "a", "a\n", "a\r\nb\r\n", "\n\n"):
        assert len(split_lines(text)) == ParsedDocument(text).line_count
        assert "".join(split_lines(text)) == text


def test_incremental_changes_reach_the_parsed_tree():
    document = OpenDocument("file:///t.py", "def f(x):\r\n    return x  # 😀\r\n")
    first = document.snapshot()
    with document.lock:
        tree_before = document.parsed(first).tree
    # type after the emoji (UTF-16 column 25 = code point 24), then a multi-line paste, then a deletion
    document.apply_change((1, 25), (1, 25), "!", UTF16, 2)
    assert document.line(1) == "    return x  # 😀!"
    document.apply_change((0, 9), (1, 4), "\n    y = x\n    ", UTF16, 3)
    document.apply_change((3, 0), (3, 0), "z = 1\n", UTF16, 4)
    expected = "def f(x):\n    y = x\n    return x  # 😀!\r\nz = 1\n"
    snapshot = document.snapshot()
    assert snapshot.text == expected and snapshot.version == 4 and snapshot.seq == 3
    with document.lock:
        parsed = document.parsed(snapshot)
    assert parsed.text == expected
    assert parsed.tree is not tree_before  # updated from the edited old tree, not a fresh parse of nothing
    assert not parsed.tree.root_node.has_error
    assert parsed.tree.root_node.named_children[-1].type == "expression_statement"  # z = 1
    # an older snapshot (a request that waited) gets a parse of its own and leaves the shared tree alone
    with document.lock:
        old = document.parsed(first)
        assert old.text == first.text and document.parsed(snapshot) is parsed


def test_out_of_range_changes_are_clamped():
    document = OpenDocument("file:///t.py", "a = 1\n")
    document.apply_change((7, 3), (9, 0), "b = 2\n", UTF16)
    document.apply_change((0, 50), (0, 60), "  # one", UTF16)
    assert document.snapshot().text == "a = 1  # one\nb = 2\n"
    document.replace_all("x\n", 9)
    with document.lock:
        assert document.parsed(document.snapshot()).text == "x\n"
    assert document.length == 2


def sites(text: str, line: int, column: int):
    return site_at(ParsedDocument(text), line, column)


FUNCTION = "import logging\nlogger = logging.getLogger(__name__)\n\ndef f(path):\n    {typed}\n    return path\n"


@pytest.mark.parametrize("typed, wanted", [
    ("logger.", True), ("logger.war", True), ("self.log.", True), ("LOG.", True), ("log", True),
    ('logger.error("Fa', True), ("self.", False), ("os.path.", False), ("x = 1", False), ("", False),
    ("logger.zzz", False),
])
def test_completion_trigger(typed, wanted):
    text = FUNCTION.format(typed=typed)
    assert completion_wanted(sites(text, 4, 4 + len(typed))) is wanted
    assert may_be_typing_log("    " + typed) is ("log" in typed.lower() and typed not in ("x = 1",))


def test_inline_triggers():
    empty = sites(FUNCTION.format(typed=""), 4, 4)
    assert empty.kind == "entry" and inline_wanted(empty, invoked=False)
    middle = "def f(path):\n    a = 1\n    \n    b = 2\n"
    plain = sites(middle, 2, 4)
    assert not inline_wanted(plain, invoked=False) and inline_wanted(plain, invoked=True)
    module = sites("x = 1\n\ny = 2\n", 1, 0)
    assert not inline_wanted(module, invoked=True)
    code = sites("def f():\n    x = compute(\n", 1, 15)
    assert not inline_wanted(code, invoked=True)


class FakeRecorder:
    def __init__(self):
        self.events = []

    def record(self, event, settings=None):
        if settings is not None and not settings.telemetry:
            return None
        self.events.append(event)
        done = Future()
        done.set_result(True)
        return done


def statement(text: str) -> Suggestion:
    return Suggestion(text, TextEdit(0, 0, 0, 0, text), level="info", source="template", site_kind="entry")


def test_offer_ledger_records_show_accept_dismiss():
    recorder, settings = FakeRecorder(), Settings()
    ledger = OfferLedger(recorder, lambda: settings)
    offer = dict(uri="file:///a.py", path="/a.py", settings=settings, model=("m", "sha"), latency_ms=5.0)
    first = ledger.offer(channel="completion", suggestions=[statement("a"), statement("b")], **offer)
    ledger.accepted(first[0].id)
    ledger.close_open("file:///a.py", "completion", "next_request")  # only b is still open
    ledger.accepted(first[1].id)  # late acceptance after the dismissal still counts
    assert [(e.event, e.suggestion_id) for e in recorder.events] == [
        ("shown", first[0].id), ("shown", first[1].id), ("accepted", first[0].id),
        ("dismissed", first[1].id), ("accepted", first[1].id)]
    assert recorder.events[-1].detail == {"after": "dismissed"}
    assert recorder.events[0].model_sha256 == "sha" and recorder.events[0].settings["use_model"] is True

    recorder.events.clear()
    inline = ledger.offer(channel="inline", suggestions=[statement("c")], **offer)
    ledger.shown(inline[0].id)  # the client reports display from now on; no second shown row
    later = ledger.offer(channel="inline", suggestions=[statement("d")], **offer)
    ledger.close_open("file:///a.py", "inline", "next_request")
    assert [(e.event, e.suggestion_id) for e in recorder.events] == [
        ("shown", inline[0].id), ("dismissed", inline[0].id)]  # d was never displayed: no rows
    ledger.partially_accepted(later[0].id, 3)  # accepting implies it was shown
    assert [e.event for e in recorder.events[-2:]] == ["shown", "partially_accepted"]
    assert recorder.events[-1].detail == {"accepted_chars": 3}


def test_shown_rows_name_the_workspace_folder_as_the_repository():
    recorder, settings = FakeRecorder(), Settings()
    ledger = OfferLedger(recorder, lambda: settings, lambda: Path("/work/shop"))
    offer = dict(uri="file:///x.py", settings=settings, model=("m", "sha"), latency_ms=5.0, channel="completion")
    inside = ledger.offer(path="/work/shop/app/cart.py", suggestions=[statement("a")], **offer)
    ledger.offer(path="/tmp/scratch.py", suggestions=[statement("b")], **offer)
    ledger.accepted(inside[0].id)
    assert [(e.event, e.detail) for e in recorder.events] == [
        ("shown", {"repository": "shop"}), ("shown", None), ("accepted", None)]


def test_offer_ledger_names_the_backend_in_every_events_detail_and_the_route_that_wrote_each():
    recorder, settings = FakeRecorder(), Settings()
    ledger = OfferLedger(recorder, lambda: settings)
    backend = {"backend": "llama-server", "server_model": "m.gguf", "route": "remote"}
    why = "local confidence 0.31 below 0.42 (20 % escalation): the stronger model answered"
    by_server = dataclasses.replace(statement("a"), source="m.gguf", route="remote", route_reason=why)
    ledger.offer(uri="file:///a.py", path="/a.py", settings=settings, model=("m.gguf", None), latency_ms=5.0,
                 channel="completion", suggestions=[by_server, statement("b")], backend=backend)
    ledger.close_open("file:///a.py", "completion", "next_request")
    remote = {**backend, "route_reason": why}
    assert [e.detail for e in recorder.events] == [
        remote, {**backend, "route": "template"},
        {**remote, "reason": "next_request"}, {**backend, "route": "template", "reason": "next_request"}]


def test_offer_ledger_honours_telemetry_off():
    recorder = FakeRecorder()
    settings = Settings(telemetry=False)
    ledger = OfferLedger(recorder, lambda: settings)
    offered = ledger.offer(uri="u", path=None, channel="completion", suggestions=[statement("a")], settings=settings,
                           model=(None, None), latency_ms=1.0)
    assert ledger.accepted(offered[0].id)[1] is None and recorder.events == []


def test_editor_options_and_layering(monkeypatch, tmp_path):
    assert editor_options({"logsmith": {"inline": False}}) == ({"inline": False}, [])
    assert editor_options({"inline": False}) == ({"inline": False}, [])
    assert editor_options("yes")[1] and editor_options({"logsmith": 3})[1]
    (tmp_path / "pyproject.toml").write_text("[tool.logsmith]\nlatency_budget_ms = 300\ninline = false\n")
    monkeypatch.setenv("LOGSMITH_MODEL", "/models/x.gguf")
    config = ServerSettings()
    assert config.use_project(tmp_path) == []
    assert config.current.latency_budget_ms == 300 and config.current.model == "/models/x.gguf"
    errors = config.use_options({"logsmith": {"inline": True, "latencyBudgetMs": "fast", "colour": "red"}})
    assert len(errors) == 2 and any("latency_budget_ms" in e for e in errors) and any("colour" in e for e in errors)
    assert config.current.inline is True and config.current.latency_budget_ms == 300  # pyproject value kept
    config.use_options(None)
    assert config.current.inline is False


def test_newer_ticket_supersedes_older():
    async def scenario():
        tracker = RequestTracker()
        older = tracker.begin("u", "inline")
        other = tracker.begin("u", "completion")
        waiting = asyncio.ensure_future(older.run(asyncio.get_running_loop().create_future()))
        await asyncio.sleep(0)
        newer = tracker.begin("u", "inline")
        assert await asyncio.wait_for(waiting, 1) == (False, None)
        assert older.cancelled and older.reason == "superseded" and not other.cancelled and not newer.cancelled
        tracker.cancel_document("u", "closed")
        assert other.cancelled and newer.cancelled

    asyncio.run(scenario())


def test_suggestion_ids_in_client_payloads():
    from collections import namedtuple

    Item = namedtuple("Object", ["insertText", "command"])
    Command = namedtuple("Object", ["title", "command", "arguments"])
    assert suggestion_id_in(["abc"]) == "abc"
    assert suggestion_id_in(Item("logger.x()", Command("t", "logsmith.accept", ["abc"]))) == "abc"
    assert suggestion_id_in({"item": {"command": {"command": "logsmith.accept", "arguments": ["abc"]}}}) == "abc"
    assert suggestion_id_in({"suggestionId": "abc"}) == "abc"
    assert suggestion_id_in({"item": {"insertText": "x"}}) is None


def test_tcp_address():
    assert parse_address("8123") == ("127.0.0.1", 8123)
    assert parse_address("0.0.0.0:8123") == ("0.0.0.0", 8123)
    assert parse_address("[::1]:8123") == ("::1", 8123)
    with pytest.raises(ValueError):
        parse_address("host:port")
