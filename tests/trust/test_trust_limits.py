"""Limits (SECURITY.md "Limits"): the memory of the language server with the default model, files
over the size limit, and the longest a request may take (its latency budget plus 200 ms).

One real server with the real default model for the module; each test sets the budget it needs. The
worker never declines a completion as too slow ahead of time there (ALWAYS_TRY_ENV): the memory test
needs the model to work through each request however busy the machine is, and the budget test is
about the deadline, which still ends every request.
"""

from __future__ import annotations

import time

import pytest
import pytest_asyncio

import logsmith
from logsmith.model.client import ALWAYS_TRY_ENV
from network_probe import NetworkProbe
from trust_server import command_line, descendants, memory_kib, server_pid, start_server, stop_editor

MODEL_ID = "gemma-3-270m"
MEMORY_LIMIT_KIB = 1_500_000_000 // 1024  # 1.5 GB
MEMORY_TEST_BUDGET_MS = 120_000  # the model's answers, whatever the machine's speed: memory, not time, is measured
BUDGET_MS = 300
OVERRUN_MS = 200
CUT_SHORT = ("ran out of time", "no time left", "busy", "late", "still finishing")

pytestmark = pytest.mark.model


RESOURCES = ("orders", "invoices", "customers", "prices", "stock", "suppliers", "refunds", "shipments", "carts",
             "coupons", "returns", "payments", "accounts", "reports", "vouchers", "parcels", "labels", "batches")


def long_module(n: int) -> tuple[str, int]:
    """A file of its own whose model prompt is long (about 1,500 tokens: seconds of cold prompt
    evaluation on 2 cores, far beyond a 300 ms budget), with `logger.` typed in an except block.
    Returns the text and the line of `logger.`."""
    lines = ["import json", "import logging", "", "logger = logging.getLogger(__name__)", ""]
    for resource in RESOURCES:
        lines += ["", f"def load_{resource}_{n}(path):", "    with open(path, encoding='utf-8') as handle:",
                  "        data = json.load(handle)", f'    logger.debug("Loaded %d {resource} from %s", len(data), path)',
                  "    return data", ""]
    lines += ["", f"def save_ledger_{n}(ledger, path):", "    try:", "        with open(path, 'w', encoding='utf-8') as handle:",
              "            json.dump(ledger, handle)", "    except OSError as exc:", "        logger.", "        raise"]
    return "\n".join(lines) + "\n", len(lines) - 2


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def server(tmp_path_factory, default_model_path):
    probe = NetworkProbe(tmp_path_factory.mktemp("limits-probe"))
    editor = await start_server(tmp_path_factory.mktemp("limits-home"), probe, offline=False,
                                env={ALWAYS_TRY_ENV: "1"})
    await editor.model_ready()
    yield editor
    await stop_editor(editor)


async def configure(editor, options: dict) -> None:
    editor.configure(options)
    await editor.settle(0.5)


@pytest.mark.asyncio(loop_scope="module")
async def test_memory_of_the_server_with_the_default_model_stays_under_1_5_gb(server):
    await configure(server, {"latencyBudgetMs": MEMORY_TEST_BUDGET_MS})
    answered = len(server.statuses)
    for n in range(3):  # a few requests the model works through: prompt evaluation, generation, a full KV cache
        text, line = long_module(100 + n)
        uri = server.open(f"memory_{n}.py", text)
        assert (await server.complete(uri, line, 15)).items
        assert (await server.inline(uri, line, 15)) is not None
    statuses = server.statuses[answered:]
    assert len(statuses) >= 3 and all(s.modelState == "ready" for s in statuses)
    # the model ran to the end of each request (its message may still be turned down on quality)
    assert not [s.notes for s in statuses if any(word in note for note in s.notes for word in CUT_SHORT)], \
        [s.notes for s in statuses]
    pid = server_pid(server)
    processes = [pid, *descendants(pid)]
    assert any("logsmith.model.worker" in command_line(p) for p in processes), "no model worker process"
    usage = {p: memory_kib(p) for p in processes}
    peak = sum(u["VmHWM"] for u in usage.values())
    now = sum(u["VmRSS"] for u in usage.values())
    each = ", ".join(f"{' '.join(command_line(p)[1:3])} {u['VmHWM'] / 1024:.0f} MiB" for p, u in usage.items())
    print(f"\nmemory: peak {peak / 1024:.0f} MiB, now {now / 1024:.0f} MiB ({each})")
    assert peak < MEMORY_LIMIT_KIB, f"server + model worker peaked at {peak / 1024:.0f} MiB, over 1.5 GB: {usage}"


@pytest.mark.asyncio(loop_scope="module")
async def test_a_request_never_runs_longer_than_its_budget_plus_200_ms(server):
    await configure(server, {"latencyBudgetMs": BUDGET_MS})
    timings: list[tuple[str, float]] = []
    for n in range(6):
        text, line = long_module(n)
        uri = server.open(f"budget_{n}.py", text)
        for channel in ("completion", "inline"):
            started = time.perf_counter()
            answer = await (server.complete(uri, line, 15) if channel == "completion" else server.inline(uri, line, 15))
            timings.append((channel, (time.perf_counter() - started) * 1000))
            assert answer is not None and answer.items, f"{channel} request {n} gave nothing"
    statuses = [s for s in server.statuses if s.channel in ("completion", "inline")][-len(timings):]
    cut_short = [s for s in statuses if any(word in note for note in s.notes for word in CUT_SHORT)]
    worst = max(ms for _, ms in timings)
    print(f"\nbudget {BUDGET_MS} ms: worst request {worst:.0f} ms, "
          f"{len(cut_short)} of {len(timings)} answers had the model cut short; all: "
          + ", ".join(f"{channel} {ms:.0f}" for channel, ms in timings))
    # The scenario is real: the model could not finish in the budget, so the deadline did the work.
    assert len(cut_short) >= len(timings) // 2, [s.notes for s in statuses]
    assert worst <= BUDGET_MS + OVERRUN_MS, f"a request took {worst:.0f} ms with a {BUDGET_MS} ms budget: {timings}"


LARGE_SITE = (
    "import logging\n\nlogger = logging.getLogger(__name__)\n\n\n"
    "def fetch_prices(session, url):\n    try:\n        return session.get(url).json()\n"
    "    except ConnectionError as err:\n        logger.\n        raise\n"
)
LARGE_LINE = 9


def padded(text: str, size: int, filler: str) -> str:
    """`text` followed by comment lines of `filler` until it is `size` bytes long in UTF-8."""
    line = "# " + filler * 40 + "\n"
    repeats = max(0, (size - len(text.encode())) // len(line.encode()) + 1)
    return text + line * repeats


def test_files_over_the_size_limit_are_served_without_the_model_and_say_so(model_settings):
    limit = 20_000
    settings = model_settings.replace(max_file_bytes=limit)
    small = logsmith.suggest(padded(LARGE_SITE, limit // 2, "x"), LARGE_LINE, 15, settings=settings)
    assert small[0].source == MODEL_ID, f"control: the model should write this statement: {small[0].notes}"
    for filler in ("x", "é", "日本"):  # ASCII, and files whose characters take several bytes each
        text = padded(LARGE_SITE, limit + 1_000, filler)
        assert len(text.encode()) > limit
        found = logsmith.suggest(text, LARGE_LINE, 15, settings=settings)
        assert found and {s.source for s in found} == {"template"}, (filler, [s.source for s in found])
        assert any("template only" in note and str(limit) in note for note in found[0].notes), (filler, found[0].notes)
