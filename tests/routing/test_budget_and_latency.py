"""The remote-token budget is shared by the processes of one user and starts again each day; the
latency window trusts the remote model only once it has answered a few times in time."""

from __future__ import annotations

import json
import multiprocessing
import stat

from logsmith.routing import budget as budget_module
from logsmith.routing.budget import TokenBudget
from logsmith.routing.latency import LatencyWindow


def _spend_many(home: str, times: int) -> None:
    spender = TokenBudget(home, limit=10_000)
    for _ in range(times):
        spender.spend(7)


def test_the_budget_adds_up_across_processes_and_keeps_the_file_private(tmp_path):
    context = multiprocessing.get_context("fork")
    workers = [context.Process(target=_spend_many, args=(str(tmp_path), 20)) for _ in range(3)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    spent = TokenBudget(tmp_path, limit=1000)
    assert spent.usage().tokens == 3 * 20 * 7
    assert spent.usage().requests == 60
    assert spent.left() == 1000 - 420
    assert spent.allows(580) and not spent.allows(581)
    assert stat.S_IMODE((tmp_path / budget_module.USAGE_FILE).stat().st_mode) == 0o600


def test_a_new_day_starts_from_zero_and_a_damaged_file_counts_as_nothing_spent(tmp_path):
    path = tmp_path / budget_module.USAGE_FILE
    path.write_text(json.dumps({"day": "2001-01-01", "tokens": 999, "requests": 3}))
    day = TokenBudget(tmp_path, limit=1000)
    assert day.left() == 1000
    assert day.spend(10).tokens == 10
    path.write_text("{not json")
    assert day.usage().tokens == 0
    assert day.spend(5).tokens == 5


def test_an_unwritable_home_loses_only_the_count(tmp_path):
    blocked = tmp_path / "file-not-folder"
    blocked.write_text("")
    spender = TokenBudget(blocked / "home", limit=100)
    assert spender.spend(30).tokens == 30
    assert spender.left() == 100


def test_the_latency_window_waits_for_a_few_answers_then_uses_the_95th_percentile():
    window = LatencyWindow(window=20, minimum=3)
    assert window.p95() is None and not window.fits(10.0)
    for seconds in (0.2, 0.3):
        window.add(seconds)
    assert not window.fits(10.0)
    window.add(0.25)
    assert window.fits(0.31) and not window.fits(0.29)
    for _ in range(20):
        window.add(0.1)
    assert window.p95() == 0.1  # the window forgets the older, slower answers
