"""eval.checks.definite_binding, rule by rule: which names are bound on every path to a
statement."""

from __future__ import annotations

import textwrap

import pytest

from eval.checks import definite_binding


def point(source: str) -> definite_binding.Point:
    """The point at the line that holds only `HERE` (made a `pass` statement)."""
    lines = textwrap.dedent(source).split("\n")
    index = next(number for number, text in enumerate(lines) if text.strip() == "HERE")
    column = len(lines[index]) - len(lines[index].lstrip())
    lines[index] = lines[index][:column] + "pass"
    return definite_binding.point_at("\n".join(lines), index, column)


def bound(source: str, *names: str) -> dict[str, bool]:
    found = point(source)
    return {name: found.is_bound(name) for name in names}


def test_parameters_of_every_kind_are_bound_from_the_start():
    assert bound("""
        def f(a, /, b, *args, c=1, **kw):
            HERE
        """, "a", "b", "args", "c", "kw") == {"a": True, "b": True, "args": True, "c": True, "kw": True}


def test_a_name_is_bound_once_its_statement_completes():
    assert bound("""
        import os.path
        from json import loads as parse

        def f():
            x = y = 1
            (a, [b, *c]) = d = 2, [3, 4]
            n: int
            m: int = 0
            total += 1
            HERE
            later = 1
        """, "x", "y", "a", "b", "c", "d", "n", "m", "total", "later", "os", "parse") == {
        "x": True, "y": True, "a": True, "b": True, "c": True, "d": True, "n": False, "m": True,
        "total": True, "later": False, "os": True, "parse": True}


def test_in_a_handler_only_what_was_bound_before_the_try_and_the_handlers_own_name():
    source = """
        def f(path):
            before = 1
            try:
                inside = open(path)
                data = inside.read()
            except OSError as err:
                HERE
        """
    assert bound(source, "path", "before", "err", "inside", "data") == {
        "path": True, "before": True, "err": True, "inside": False, "data": False}


def test_a_del_anywhere_in_the_try_body_reaches_the_handler():
    assert bound("""
        def f(items):
            first = items[0]
            try:
                del first
                items.pop()
            except IndexError:
                HERE
        """, "first") == {"first": False}


def test_try_else_sees_the_body_and_finally_sees_only_what_was_bound_before():
    assert bound("""
        def f():
            try:
                x = 1
            except E:
                y = 2
            else:
                HERE
        """, "x", "y") == {"x": True, "y": False}
    assert bound("""
        def f():
            a = 0
            try:
                x = 1
            finally:
                HERE
        """, "a", "x") == {"a": True, "x": False}


def test_after_a_try_what_the_body_and_every_completing_handler_bind():
    assert bound("""
        def f():
            try:
                import json
                x = 1
            except ImportError:
                json = None
            except ValueError:
                raise
            except KeyError as err:
                pass
            HERE
        """, "json", "x", "err") == {"json": False, "x": False, "err": False}
    assert bound("""
        def f():
            try:
                import json
            except ImportError:
                json = None
            HERE
        """, "json") == {"json": True}


def test_a_del_in_finally_unbinds_after_the_try():
    assert bound("""
        def f(read):
            buf = None
            try:
                buf = read()
            finally:
                del buf
            HERE
        """, "buf") == {"buf": False}


def test_the_handlers_name_is_unbound_when_the_handler_ends():
    assert bound("""
        def f():
            err = None
            try:
                pass
            except OSError as err:
                pass
            HERE
        """, "err") == {"err": False}


def test_a_name_bound_only_in_a_branch_is_not_bound_after_it():
    assert bound("""
        def f(flag):
            if flag:
                only_if = 1
                both = 1
            elif flag is None:
                both = 2
                return
            else:
                both = 3
            HERE
        """, "only_if", "both") == {"only_if": False, "both": True}
    assert bound("""
        def f(flag):
            if flag:
                x = 1
            HERE
        """, "x") == {"x": False}


def test_a_loop_body_may_run_zero_times():
    assert bound("""
        def f(items):
            for item in items:
                seen = item
            HERE
        """, "item", "seen") == {"item": False, "seen": False}
    assert bound("""
        def f(items):
            while items:
                seen = items.pop()
            else:
                done = True
            HERE
        """, "seen", "done") == {"seen": False, "done": True}


def test_inside_a_loop_only_this_iterations_earlier_bindings_count():
    source = """
        def f(items, limit):
            for item in items:
                HERE
                previous = item
                del limit
        """
    assert bound(source, "item", "previous", "limit") == {"item": True, "previous": False, "limit": False}


def test_while_true_is_left_only_by_break():
    assert bound("""
        def f(read):
            while True:
                chunk = read()
                if chunk:
                    break
            HERE
        """, "chunk") == {"chunk": True}


def test_del_unbinds_and_a_comprehension_variable_stays_inside():
    assert bound("""
        def f(rows):
            gone = 1
            del gone
            names = [row.name for row in rows]
            HERE
        """, "gone", "row", "names") == {"gone": False, "row": False, "names": True}


def test_a_walrus_binds_where_it_is_always_evaluated():
    assert bound("""
        def f(text):
            if (match := find(text)) and (rest := match.end()):
                pass
            value = (first := 1) if (cond := text) else (other := 2)
            HERE
        """, "match", "rest", "first", "cond", "other") == {
        "match": True, "rest": False, "first": False, "cond": True, "other": False}


def test_with_binds_its_targets_unless_the_manager_may_swallow_the_exception():
    assert bound("""
        from contextlib import suppress

        def f(d):
            with open(d) as handle, lock:
                data = handle.read()
            with suppress(KeyError):
                value = d["key"]
            HERE
        """, "handle", "data", "value") == {"handle": True, "data": True, "value": False}


def test_match_captures_and_the_missing_catch_all():
    assert bound("""
        def f(command):
            match command:
                case [verb, *rest]:
                    HERE
        """, "verb", "rest") == {"verb": True, "rest": True}
    assert bound("""
        def f(command):
            match command:
                case {"x": x}:
                    both = x
                case _:
                    both = None
            match command:
                case str() as text:
                    partial = text
            HERE
        """, "both", "partial", "x") == {"both": True, "partial": False, "x": False}


def test_globals_closures_builtins_and_module_dunders():
    source = """
        import logging

        def outer(path):
            def inner():
                HERE
            late = 1
            return inner

        def configure():
            global CONFIGURED
            CONFIGURED = True

        LATER = 2
        """
    assert bound(source, "logging", "path", "late", "inner", "LATER", "CONFIGURED", "len", "__name__", "nowhere") == {
        "logging": True, "path": True, "late": True, "inner": True, "LATER": True, "CONFIGURED": True,
        "len": True, "__name__": True, "nowhere": False}


def test_class_bodies_are_not_seen_from_their_methods():
    assert bound("""
        class Client:
            retries = 3

            def send(self):
                HERE
        """, "self", "retries", "Client") == {"self": True, "retries": False, "Client": True}


def test_a_local_shadows_the_global_of_its_name_until_it_is_bound():
    assert bound("""
        config = {}

        def f(flag):
            if flag:
                config = load()
            HERE
        """, "config") == {"config": False}
    assert bound("""
        config = {}

        def f():
            global config
            HERE
            config = load()
        """, "config") == {"config": True}


def test_a_star_import_binds_anything_and_a_line_after_return_cannot_run():
    assert bound("""
        from os.path import *

        def f():
            HERE
        """, "join") == {"join": True}
    found = point("""
        def f(x):
            return x
            HERE
        """)
    assert found.reachable is False


def test_a_statement_must_start_at_the_point():
    with pytest.raises(definite_binding.NoStatement):
        definite_binding.point_at("x = 1\n", 0, 2)
