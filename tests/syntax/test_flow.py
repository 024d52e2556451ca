"""Which values a statement may name: bound on every path to the cursor (logsmith.syntax.flow),
checked on the candidates, the template and the statement served; and whether the line can run.

The snippets are shaped like the real code where logsmith once proposed a value that was unbound."""

import textwrap

import pytest

from logsmith.pipeline import suggest
from logsmith.settings import Settings
from logsmith.syntax.site import parse_for_site, site_at

CURSOR = "#|"
TEMPLATE = Settings(use_model=False)


def at_cursor(source: str):
    """The site at the `#|` marker (removed) of `source`."""
    text = textwrap.dedent(source)
    lines = text.split("\n")
    row = next(i for i, line in enumerate(lines) if CURSOR in line)
    column = lines[row].index(CURSOR)
    lines[row] = lines[row][:column]
    text = "\n".join(lines)
    return text, row, column, site_at(parse_for_site(text, row, column), row, column)


def bound(source: str) -> set[str]:
    _, _, _, site = at_cursor(source)
    return {name for name in ("value", "day", "order_id", "text", "x", "y", "item", "total", "h", "data", "r", "e",
                              "exc", "raw", "default", "items", "key", "n", "m", "found", "rows", "cfg", "line")
            if site.in_scope(name)}


def bound_names(source: str, *names: str) -> set[str]:
    """Which of `names` are bound at the cursor of `source`."""
    _, _, _, site = at_cursor(source)
    return {name for name in names if site.in_scope(name)}


# --- try / except / else / finally -------------------------------------------------------------

def test_a_name_assigned_in_the_try_body_is_not_bound_in_its_handler():
    # catalog.parse_threshold: `value = int(raw)` is the call that raised
    assert bound("""
        def parse_threshold(raw, default=5):
            try:
                value = int(raw)
            except (TypeError, ValueError):
                #|
                value = default
            return max(value, 0)
        """) == {"raw", "default"}


def test_a_loop_variable_assigned_in_the_try_body_is_not_bound_in_its_handler():
    # restock.place_orders: the first failure would raise UnboundLocalError, later ones log the previous id
    names = bound("""
        def place_orders(client, items):
            placed = []
            for item in items:
                try:
                    order_id = client.order(item)
                    placed.append(order_id)
                except SupplierError:
                    #|
                    continue
            return placed
        """)
    assert "order_id" not in names and {"item", "items"} <= names


def test_the_value_read_by_the_call_that_raised_is_not_bound_in_the_handler():
    # a telnet session: `text = self.read_eager()` raised EOFError
    names = bound("""
        def interact(self, key):
            try:
                text = self.read_eager()
            except EOFError:
                #|
                return
        """)
    assert "text" not in names and "key" in names


def test_names_bound_before_the_try_and_the_handlers_own_name_stay():
    assert bound("""
        def archive(reports, day=None):
            cfg = load()
            try:
                day = parse(cfg)
            except ValueError as exc:
                #|
                raise
        """) >= {"cfg", "exc", "day"}  # `day` is a parameter: bound from the start


def test_else_sees_the_try_body_and_finally_does_not():
    assert "r" in bound("""
        def f():
            try:
                r = g()
            except OSError:
                return None
            else:
                #|
                pass
        """)
    assert "r" not in bound("""
        def f():
            try:
                r = g()
            finally:
                #|
                pass
        """)


def test_after_a_try_a_name_is_bound_when_every_handler_that_completes_binds_it():
    assert "value" in bound("""
        def f(raw):
            try:
                value = int(raw)
            except ValueError:
                return None
            #|
        """)
    assert "value" in bound("""
        def f(raw):
            try:
                value = int(raw)
            except ValueError:
                value = 0
            #|
        """)
    assert "value" not in bound("""
        def f(raw):
            try:
                value = int(raw)
            except ValueError:
                pass
            #|
        """)


def test_the_handlers_name_is_deleted_when_the_handler_ends():
    assert "e" not in bound("""
        def f():
            e = 1
            try:
                g()
            except OSError as e:
                pass
            #|
        """)


# --- branches, loops, del ------------------------------------------------------------------------

def test_a_name_bound_in_only_one_branch_is_not_bound_after_it():
    assert "x" not in bound("""
        def f(a):
            if a:
                x = 1
            #|
        """)
    assert "x" in bound("""
        def f(a):
            if a:
                x = 1
            elif a is None:
                x = 2
            else:
                raise ValueError(a)
            #|
        """)


def test_a_loop_can_run_zero_times_and_an_earlier_iteration_is_not_the_first():
    names = bound("""
        def f(items):
            for item in items:
                total = 1
            #|
        """)
    assert "item" not in names and "total" not in names
    names = bound("""
        def f(items):
            for item in items:
                if item:
                    found = item
                #|
                total = 1
        """)
    assert "item" in names and "found" not in names and "total" not in names


def test_while_true_and_a_loop_else_bind_nothing_the_loop_body_bound():
    assert "line" not in bound("""
        def f(stream):
            while True:
                line = stream.readline()
                if line:
                    break
            #|
        """)


def test_del_unbinds():
    assert "x" not in bound("""
        def f():
            x = 1
            del x
            #|
        """)


def test_a_comprehension_variable_is_not_bound_outside_it():
    assert "x" not in bound("""
        def f(rows):
            total = [x for x in rows]
            #|
        """)


def test_with_targets_and_walrus_in_a_condition_are_bound():
    names = bound("""
        def f(p):
            with open(p) as h:
                data = h.read()
            if (n := len(data)) > 2:
                #|
                pass
        """)
    assert {"h", "data", "n"} <= names


def test_a_local_that_shadows_a_global_is_not_the_global_before_it_is_bound():
    names = bound("""
        value = 3

        def f(a):
            try:
                value = int(a)
            except ValueError:
                #|
                pass
        """)
    assert "value" not in names


def test_globals_and_closures_stay():
    names = bound("""
        import os
        rows = []

        def outer(cfg):
            total = 1

            def inner():
                #|
                pass
            return inner
        """)
    assert {"rows", "cfg", "total"} <= names


def test_at_module_level_a_name_bound_later_in_the_file_is_not_bound():
    names = bound("""
        import os
        #|
        cfg = os.environ
        """)
    assert "cfg" not in names


# --- reachability ---------------------------------------------------------------------------------

@pytest.mark.parametrize("jump", ["return x", "raise ValueError(x)", "continue", "break"])
def test_a_line_after_a_jump_in_its_block_cannot_run_and_gets_no_suggestion(jump):
    text, row, column, site = at_cursor(f"""
        def f(x):
            for item in x:
                {jump}
                #|
        """)
    assert not site.reachable
    assert suggest(text, row, column, settings=TEMPLATE) == []


def test_a_line_after_an_if_whose_every_branch_returns_cannot_run():
    _, _, _, site = at_cursor("""
        def f(x):
            if x:
                return 1
            else:
                return 2
            #|
        """)
    assert not site.reachable


def test_a_line_before_the_jump_can_run():
    _, _, _, site = at_cursor("""
        def f(x):
            #|
            return x
        """)
    assert site.reachable


# --- what is served --------------------------------------------------------------------------------

def test_the_template_never_logs_a_value_bound_only_in_the_try_body():
    text, row, column, _ = at_cursor("""
        import logging

        logger = logging.getLogger(__name__)


        def parse_threshold(raw, default=5):
            try:
                value = int(raw)
            except (TypeError, ValueError):
                #|
                value = default
            return max(value, 0)
        """)
    for suggestion in suggest(text, row, column, settings=TEMPLATE):
        assert "value" not in suggestion.variables, suggestion.statement


def test_numbers_are_known_from_literals_len_int_arithmetic_range_and_annotations():
    _, _, _, site = at_cursor("""
        def f(limit: int, sku: str, raw):
            n = len(raw)
            m = n * 2
            k = raw.strip()
            cost = int(raw) + 1
            for i in range(3):
                for j, item in enumerate(raw):
                    #|
                    pass
        """)
    assert site.numeric_names == {"limit", "n", "m", "cost", "i", "j"}


# --- found by the independent check in eval/ ---------------------------------------------------

def test_a_del_in_finally_unbinds_after_the_try():
    assert "data" not in bound_names("""
        def f(sock):
            data = sock.recv()
            try:
                use(data)
            finally:
                del data
            #|
        """, "data")


def test_a_del_later_in_a_loop_body_unbinds_in_the_next_iteration():
    assert "x" not in bound_names("""
        def f(items):
            x = 1
            for item in items:
                #|
                del x
        """, "x")


def test_a_del_in_the_try_body_unbinds_in_its_handlers():
    assert "x" not in bound_names("""
        def f():
            x = 1
            try:
                del x
                g()
            except OSError:
                #|
                pass
        """, "x")


def test_names_bound_under_a_suppressing_context_manager_are_not_bound_after_it():
    assert "x" not in bound_names("""
        def f():
            with contextlib.suppress(OSError):
                x = g()
            #|
        """, "x")
    assert "x" in bound_names("""
        def f(p):
            with open(p) as h:
                x = h.read()
            #|
        """, "x")


def test_a_name_rebound_to_a_string_later_in_the_loop_is_not_a_number():
    _, _, _, site = at_cursor("""
        def f(items):
            n = 0
            for item in items:
                #|
                n = str(item)
        """)
    assert "n" not in site.numeric_names


def test_abs_sum_and_round_are_not_known_numbers():
    _, _, _, site = at_cursor("""
        def f(delays):
            total = sum(delays)
            gap = abs(delays[0])
            #|
        """)
    assert not {"total", "gap"} & site.numeric_names


def test_the_builtins_modules_own_dunders_are_not_names_in_scope():
    _, _, _, site = at_cursor("""
        def f(x):
            #|
            pass
        """)
    assert not site.in_scope("__repr__") and site.in_scope("len") and site.in_scope("__name__")
