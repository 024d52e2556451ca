"""Unit tests of the variable chooser (`logsmith.planning.variables`) and the usages it ranks (no model)."""

from __future__ import annotations

import ast
import textwrap

import logsmith
from logsmith.planning import variables
from logsmith.pipeline import facts_of, site_at
from logsmith.planning.plan import make_plan
from logsmith.settings import Settings
from logsmith.engines.statement import check
from logsmith.syntax.document import ParsedDocument

TEMPLATE = Settings(use_model=False)


def at_marker(source: str, marker: str = "#HERE"):
    """(masked source, line, character): the marker's line emptied to its indentation."""
    source = textwrap.dedent(source)
    lines = source.split("\n")
    row = next(i for i, text in enumerate(lines) if marker in text)
    indent = lines[row][: len(lines[row]) - len(lines[row].lstrip())]
    lines[row] = indent
    return "\n".join(lines), row, len(indent)


def chosen(source: str, level: str = "info"):
    text, row, col = at_marker(source)
    document = ParsedDocument(text)
    site = site_at(text, row, col, document=document)
    return site, variables.variables_for(site, level, facts_of(document))


def candidate_texts(source: str) -> set[str]:
    text, row, col = at_marker(source)
    document = ParsedDocument(text)
    site = site_at(text, row, col, document=document)
    return {c.text for c in variables.candidates(site, "info", facts_of(document))}


CONNECTION = '''
    import logging

    logger = logging.getLogger(__name__)


    class Connection:
        def __init__(self, host):
            self.host = host
            self._state = "new"

        def send(self, req, payload):
            self._sock = open_socket(self.host)
            if self._state != "open":
                logger.debug("reconnecting %s", self._state)
                self.reconnect(req.url)
            #HERE
            self._sock.sendall(payload)
            later = 1
            return later
    '''


def test_candidates_are_names_and_attribute_chains_bound_at_the_cursor():
    found = candidate_texts(CONNECTION)
    assert {"req", "payload", "self._state", "req.url", "self._sock", "self.host"} <= found
    # a method is called, not logged; `self` alone is never a candidate; nothing bound after the cursor
    assert "self.reconnect" not in found and "self" not in found and "later" not in found
    assert "logger" not in found


def test_usages_know_roles_and_places():
    text, row, col = at_marker(CONNECTION)
    site = site_at(text, row, col)
    usages = {usage.text: usage for usage in site.usages}
    assert {"log", "previous", "read"} <= usages["self._state"].roles  # the `if` before the cursor
    assert {"bound", "next"} <= usages["self._sock"].roles and usages["self._sock"].last_line == row - 4
    assert "later" in usages["later"].roles and usages["later"].last_line == -1
    assert "next" in usages["payload"].roles
    assert usages["req.url"].last_line == row - 1


WORKER = '''
    import logging

    logger = logging.getLogger(__name__)


    class Worker:
        def run(self, queue):
            logger.info("worker %s starting", self.name)
            while self.running:
                job = queue.get()
                if job.retries > self.max_retries:
                    #HERE
                    continue
                job.start()
    '''


def test_attribute_chains_are_chosen_and_the_statement_checks():
    text, row, col = at_marker(WORKER)
    top = logsmith.suggest(text, row, col, settings=TEMPLATE)[0]
    # the attribute the function already logs, and the value the `if` is about
    assert {"self.name", "job"} <= set(top.variables), top.statement
    document = ParsedDocument(text)
    site = site_at(text, row, col, document=document)
    facts = facts_of(document)
    from logsmith.pipeline import style_for

    plan = make_plan(site, facts, style_for(facts, None, TEMPLATE))
    assert set(check(top.statement, plan, site)) == set(top.variables)


def test_several_variables_are_logged():
    site, choice = chosen(
        '''
        def connect_all(targets, timeout):
            for host, port in targets:
                #HERE
                connect(host, port, timeout)
        '''
    )
    assert {"host", "port"} <= set(choice.names) and len(choice.names) <= variables.RANKER.max_variables
    usages = {usage.text: usage for usage in site.usages}
    assert {"bound", "header", "next"} <= usages["host"].roles and "outer_header" not in usages["host"].roles


def test_exception_variable_is_logged_when_the_handler_reports():
    site, choice = chosen(
        '''
        def load(path):
            try:
                return read(path)
            except OSError as exc:
                #HERE
                raise
        ''',
        level="error",
    )
    assert choice.exception == "exc" and "exc" not in choice.names


def test_secrets_are_never_candidates_that_get_logged():
    site, choice = chosen(
        '''
        def login(username, password):
            token = fetch_token(username, password)
            #HERE
            return session(username, token)
        '''
    )
    logged = set(choice.names) | {choice.exception}
    assert not logged & {"password", "token"}
    # only the secrets are taken out: the ranker may still log the user's name
    assert "username" in choice.candidates and "username" not in choice.left_out
    assert set(choice.left_out) <= {"password", "token"}


def test_names_out_of_scope_are_never_logged():
    source = '''
        def handle(items):
            try:
                work(items)
            except ValueError as exc:
                pass
            squares = [item * item for item in items]
            #HERE
            return squares
        '''
    found = candidate_texts(source)
    assert "exc" not in found and "item" not in found
    text, row, col = at_marker(source)
    site = site_at(text, row, col)
    for suggestion in logsmith.suggest(text, row, col, settings=TEMPLATE):
        ast.parse(suggestion.statement)
        assert all(site.in_scope(name) for name in suggestion.variables)


def test_select_keeps_a_chain_or_its_root_and_at_most_the_limit():
    scored = [(0.9, "req"), (0.8, "req.url"), (0.7, "host"), (0.6, "port"), (0.55, "path")]
    picked = variables.select(scored, missing=0.0, limit=3)
    assert picked[0] == "req" and "req.url" not in picked and len(picked) <= 3
    assert variables.select([(0.02, "a"), (0.01, "b")], variables.RANKER.missing, 3) == []
    assert variables.select([], variables.RANKER.missing, 3) == []


def test_arguments_with_the_same_last_part_get_distinct_labels_and_keys():
    from logsmith.engines.statement import labels

    assert labels(("job.name", "self.name", "path")) == ["job_name", "self_name", "path"]
    # a value inside str(), repr() or type() is labelled by the value: a keyword of structlog's
    assert labels(("str(err)", "type(job).__name__", "repr(self.path)")) == ["err", "job", "path"]
    source = '''
        import structlog
        log = structlog.get_logger()

        def run(self, job, event, error):
            log.info("started", name=self.name, job=job.name)
            if job.name != self.name:
                #HERE
                return error
        '''
    text, row, col = at_marker(source)
    for suggestion in logsmith.suggest(text, row, col, settings=TEMPLATE):
        call = ast.parse(suggestion.statement).body[0].value
        keys = [keyword.arg for keyword in call.keywords]
        assert len(keys) == len(set(keys)) and "event" not in keys, suggestion.statement
