"""The model worker process with the real default model: grammar, KV-cache reuse, deadline, cancel,
declining what cannot end in time and a speed estimate that recovers after a slow spell, a killed
worker coming back, a model file that cannot load, and malformed requests on the wire.

No assertion here is about how fast the machine is: budgets are generous where a test needs the
model's answer, and a test about speed compares the worker with itself at another moment."""

from __future__ import annotations

import math
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest

from logsmith.model import protocol, registry
from logsmith.model.client import (
    Completion,
    ModelFailed,
    ModelNotReady,
    ModelRequestError,
    ModelWorker,
    get_worker,
)
from logsmith.model.worker import ESTIMATE_HALF_LIFE_S, SpeedEstimate
from logsmith.settings import Settings

BUDGET_S = 60.0  # generous: the machine is shared; tests that are about deadlines set their own

CODE = '''import logging

logger = logging.getLogger(__name__)


def read_config(path):
    """Read the configuration file at path."""
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read()
    except OSError as exc:
'''
LONG_ANSWER = "Count from one to one hundred, in words, separated by commas: one, two, three,"


def fresh_prompt(lines: int = 12) -> str:
    """`CODE` after `lines` lines of settings (about 25 tokens each) and a first line never seen
    before, so nothing of it is in the KV cache."""
    settings = "".join(f"SETTING_{n} = compute_default_value_for_setting({n}, fallback=None)\n" for n in range(lines))
    return f"# {uuid.uuid4()}\n" + settings + CODE + "        logger."


@pytest.fixture(scope="module")
def progress():
    return []


@pytest.fixture(scope="module")
def worker(default_model_path, progress):
    """One worker on the real default model for the whole module."""
    choice = registry.resolve(Settings(model=str(default_model_path)))
    worker = ModelWorker(choice, on_progress=lambda *report: progress.append(report))
    worker.start()
    assert worker.wait_ready(120), worker.last_error
    yield worker
    worker.close()


def test_loading_is_reported_and_the_model_identified(worker, progress, default_model_path):
    assert worker.state == "ready" and worker.pid and worker.load_seconds > 0
    assert worker.model_id == registry.DEFAULT_MODEL
    assert worker.sha256 == registry.REGISTRY[registry.DEFAULT_MODEL].sha256
    states = [state for state, _message, _percent in progress]
    assert states[0] == "loading" and states[-1] == "ready" and progress[-1][2] == 100


def test_a_grammar_constrains_the_completion(worker):
    grammar = r'''
root ::= "logger." level "(\"" words "\", exc)"
level ::= "error" | "warning" | "exception"
words ::= [A-Za-z] [A-Za-z ]{0,40}
'''
    completion = worker.complete(CODE + "        ", grammar=grammar, deadline_s=BUDGET_S)
    assert isinstance(completion, Completion) and completion.stopped_by == "stop"
    assert re.fullmatch(r'logger\.(error|warning|exception)\("[A-Za-z][A-Za-z ]{0,40}", exc\)', completion.text)
    assert completion.tokens > 3


def test_each_chosen_token_comes_with_how_likely_the_model_found_it(worker):
    counting = "one, two, three, four, five, six, seven, eight,"
    free = worker.complete(counting, max_tokens=3, stop=(), deadline_s=BUDGET_S)
    forced = worker.complete(counting, grammar='root ::= " zebra crossing"', max_tokens=8,
                             deadline_s=BUDGET_S)
    for completion in (free, forced):
        assert len(completion.token_logprobs) in (completion.tokens, completion.tokens + 1)
        assert all(math.isfinite(value) and value <= 0.0 for value in completion.token_logprobs)
    assert free.text.startswith(" nine")
    assert free.token_logprobs[0] > math.log(0.5)  # the model is sure what comes next
    # the grammar forces a word the model would not write: over the whole vocabulary it is unlikely
    assert forced.text == " zebra crossing"
    assert forced.token_logprobs[0] < math.log(0.05)
    # the same answer from the KV cache: the same tokens, nearly the same numbers (a prompt
    # evaluated in one batch and one evaluated token by token round differently)
    again = worker.complete(counting, max_tokens=3, stop=(), deadline_s=BUDGET_S)
    assert again.text == free.text
    assert again.token_logprobs == pytest.approx(free.token_logprobs, abs=0.2)
    assert worker.warm(counting, deadline_s=BUDGET_S).token_logprobs == ()


def test_an_invalid_grammar_is_a_clear_error_and_the_worker_keeps_running(worker):
    pid = worker.pid
    with pytest.raises(ModelRequestError, match="invalid GBNF grammar.*undefined_rule") as caught:
        worker.complete(CODE, grammar="root ::= undefined_rule", deadline_s=BUDGET_S)
    assert caught.value.kind == "grammar"
    assert worker.pid == pid and worker.state == "ready"
    assert worker.complete(CODE + "        logger.", max_tokens=4, deadline_s=BUDGET_S).tokens > 0


def test_a_warm_prefix_is_not_evaluated_again(worker):
    prefix = f"# {uuid.uuid4()}\n" + CODE  # a first line never seen, so nothing of it is cached
    cold = worker.warm(prefix, deadline_s=BUDGET_S)
    assert cold.stopped_by == "stop" and cold.text == "" and cold.tokens == 0
    assert cold.reused_tokens <= 1  # at most the BOS token
    assert cold.evaluated_tokens == cold.prompt_tokens - cold.reused_tokens > 50

    warm = worker.complete(prefix + "        logger.", max_tokens=8, deadline_s=BUDGET_S)
    assert warm.reused_tokens >= cold.prompt_tokens - 1  # the prefix came from the KV cache
    assert warm.evaluated_tokens <= 6 and warm.prompt_tokens == warm.reused_tokens + warm.evaluated_tokens
    assert warm.tokens > 0 and warm.prompt_seconds > 0

    again = worker.complete(prefix + "        logger.", max_tokens=8, deadline_s=BUDGET_S)
    assert again.prompt_tokens == warm.prompt_tokens and again.reused_tokens >= again.prompt_tokens - 1
    assert again.evaluated_tokens <= 1


def test_the_deadline_stops_generation(worker):
    worker.warm(LONG_ANSWER, deadline_s=BUDGET_S)
    completion = worker.complete(LONG_ANSWER, max_tokens=400, stop=(), deadline_s=0.4)
    assert completion.stopped_by == "deadline"
    assert completion.tokens < 400


def test_a_completion_that_cannot_end_in_time_is_not_started(worker):
    """About 2,000 uncached prompt tokens cannot be read in 1 s on any machine this runs on."""
    long_prompt = CODE + "".join(f"# note {n}: the configuration file may hold option {n} = value {n}\n" for n in range(120))
    completion = worker.complete(long_prompt + "        logger.", max_tokens=8, deadline_s=1.0, always_try=False)
    assert completion.stopped_by == "too_slow" and completion.evaluated_tokens == 0 and completion.text == ""
    assert completion.needed_seconds > 1.0
    # unless the caller wants the model to try anyway: then only the deadline stops it
    tried = worker.complete(f"# {uuid.uuid4()}\n" + long_prompt + "        logger.", max_tokens=8, deadline_s=1.0,
                            always_try=True)
    assert tried.stopped_by != "too_slow"
    # once the prompt is in the cache, the same request is always tried
    worker.warm(long_prompt, deadline_s=BUDGET_S)
    again = worker.complete(long_prompt + "        logger.", max_tokens=8, deadline_s=2.0, always_try=False)
    assert again.stopped_by != "too_slow" and again.reused_tokens >= again.prompt_tokens - 8


def test_the_speed_estimate_follows_measurements_and_comes_back_without_them():
    now = [0.0]
    estimate = SpeedEstimate(clock=lambda: now[0])
    assert estimate.seconds() == 0.0
    estimate.add(0.002)
    assert estimate.seconds() == pytest.approx(0.002)
    for _ in range(6):  # a slow spell: ten times slower, measured again and again
        estimate.add(0.02)
    assert estimate.seconds() > 0.015
    slow = estimate.seconds()
    estimate.add(0.002)  # one fast measurement halves the way back, in proportion
    assert estimate.seconds() == pytest.approx((slow * 0.002) ** 0.5)
    estimate.add(0.03)
    raised = estimate.seconds()
    now[0] += ESTIMATE_HALF_LIFE_S  # nothing measured for a while: it comes back towards the fastest speed seen
    assert 0.002 < estimate.seconds() < raised
    assert estimate.seconds() == pytest.approx(0.002 * (raised / 0.002) ** 0.5)
    now[0] += 10 * ESTIMATE_HALF_LIFE_S
    assert estimate.seconds() == pytest.approx(0.002, rel=0.01)
    estimate.add(0.0)  # no measurement at all is ignored
    assert estimate.seconds() == pytest.approx(0.002, rel=0.01)


SPELL_DUTY = 0.05
"""The share of the time a worker runs during a slow spell: each prompt slice takes twenty times longer."""


def slow_spell(worker: ModelWorker, seconds: float) -> None:
    """For `seconds`, stop and resume the worker again and again (it runs SPELL_DUTY of the time, as
    if other processes held its cores) while it reads a long prompt, then cancel the reading.

    The cancel is sent while the worker is stopped, so the slice it is reading when it resumes is
    the last one it measures: no slice read at full speed after the spell counts in its estimate."""
    pid, cancel = worker.pid, threading.Event()

    def read():
        try:
            worker.warm(fresh_prompt(70), deadline_s=seconds + BUDGET_S, cancel=cancel)
        except ModelNotReady:  # cancelled while stopped: late, then it ends as soon as it resumes
            pass

    reading = threading.Thread(target=read)
    reading.start()
    end = time.monotonic() + seconds
    try:
        while True:
            os.kill(pid, signal.SIGSTOP)
            if time.monotonic() >= end:
                break
            time.sleep(0.5 * (1 - SPELL_DUTY))
            os.kill(pid, signal.SIGCONT)
            time.sleep(0.5 * SPELL_DUTY)
        cancel.set()
        time.sleep(0.2)  # the caller writes the cancel to the stopped worker's input
    finally:
        os.kill(pid, signal.SIGCONT)
        cancel.set()
        reading.join()


def test_the_worker_answers_again_within_the_same_budget_after_a_slow_spell(default_model_path, tmp_path):
    """During a slow spell the worker declines what it then cannot do in time; after it, its speed
    estimate comes back (measured or not), so the budget that sufficed before the spell suffices
    again: the model answers instead of declining for good."""
    choice = registry.resolve(Settings(model=str(default_model_path)))
    spelled = ModelWorker(choice, log_path=tmp_path / "w.log")
    spelled.start()
    try:
        assert spelled.wait_ready(120), spelled.last_error
        spelled.complete(fresh_prompt(), max_tokens=8, deadline_s=BUDGET_S, always_try=True)
        before = spelled.complete(fresh_prompt(), max_tokens=8, deadline_s=BUDGET_S, always_try=True)
        assert before.stopped_by in ("stop", "length") and before.evaluated_tokens > 300
        budget = max(0.8, 2 * before.seconds)  # ample for such a request at this machine's speed now
        # long enough for the worker to read three slices at a twentieth of its speed now
        slice_s = before.prompt_seconds / before.evaluated_tokens * 64
        slow_spell(spelled, min(60.0, max(6.0, 3 * slice_s / SPELL_DUTY)))
        spelled.ping(timeout_s=BUDGET_S)  # once the cancelled reading has ended
        during = spelled.complete(fresh_prompt(), max_tokens=8, deadline_s=budget, always_try=False)
        assert during.stopped_by == "too_slow" and during.needed_seconds > budget, (during, budget)

        spell_end, tries = time.monotonic(), []
        while True:  # a request now and then, as a user would type; each one declined measures nothing
            try:
                after = spelled.complete(fresh_prompt(), max_tokens=8, deadline_s=budget, always_try=False)
                outcome = (after.stopped_by, round(after.needed_seconds, 2))
            except ModelNotReady as exc:  # a moment of a busier machine: a slice ended past the deadline
                after, outcome = None, (str(exc),)
            tries.append((round(time.monotonic() - spell_end, 1), *outcome))
            if after is not None and after.stopped_by in ("stop", "length"):
                break
            if time.monotonic() - spell_end > 20 * ESTIMATE_HALF_LIFE_S:
                break
            time.sleep(1.0)
        print(f"\nbefore the spell {before.seconds:.2f} s (slice {slice_s:.2f} s), budget {budget:.2f} s; "
              f"declined at {during.needed_seconds:.2f} s after the spell; then {tries}")
        assert after is not None and after.stopped_by in ("stop", "length") and after.tokens > 0, tries
        assert spelled.restarts == 0
    finally:
        spelled.close()


def test_cancel_stops_generation_and_returns_what_was_written(worker):
    worker.warm(LONG_ANSWER, deadline_s=BUDGET_S)
    cancel = threading.Event()
    timer = threading.Timer(0.3, cancel.set)
    timer.start()
    completion = worker.complete(LONG_ANSWER, max_tokens=400, stop=(), deadline_s=BUDGET_S, cancel=cancel)
    timer.join()
    assert completion.stopped_by == "cancelled"
    assert completion.tokens < 400 and completion.seconds < BUDGET_S
    assert worker.state == "ready"


def test_a_killed_worker_fails_the_request_and_the_next_one_restarts_it(worker):
    pid, restarts = worker.pid, worker.restarts
    killer = threading.Timer(0.3, os.kill, args=(pid, signal.SIGKILL))
    killer.start()
    with pytest.raises(ModelFailed, match=r"model worker crashed \(signal SIGKILL\); restarting"):
        worker.complete(LONG_ANSWER, max_tokens=400, stop=(), deadline_s=BUDGET_S)
    killer.join()
    completion = worker.complete(CODE + "        logger.", max_tokens=8, deadline_s=BUDGET_S)
    assert completion.tokens > 0 and completion.stopped_by in ("stop", "length")
    assert worker.state == "ready" and worker.pid not in (None, pid) and worker.restarts == restarts + 1


def test_a_late_worker_is_abandoned_then_killed_as_hung_and_restarted(default_model_path, tmp_path):
    """A stopped (SIGSTOP) worker stands for one that is too slow or stuck in native code."""
    choice = registry.resolve(Settings(model=str(default_model_path)))
    slow = ModelWorker(choice, hang_s=4.0, log_path=tmp_path / "w.log")
    slow.start()
    try:
        assert slow.wait_ready(120), slow.last_error
        pid = slow.pid
        os.kill(pid, signal.SIGSTOP)
        with pytest.raises(ModelNotReady, match="late"):
            slow.complete(CODE, max_tokens=4, deadline_s=0.2)
        os.kill(pid, signal.SIGCONT)  # alive again: the late request ends, the worker is kept
        assert slow.complete(CODE + "        logger.", max_tokens=4, deadline_s=BUDGET_S).tokens > 0
        assert slow.pid == pid and slow.restarts == 0

        os.kill(pid, signal.SIGSTOP)  # and now it never comes back
        with pytest.raises(ModelNotReady, match="late"):
            slow.complete(CODE, max_tokens=4, deadline_s=0.2)
        completion = slow.complete(CODE + "        logger.", max_tokens=4, deadline_s=BUDGET_S)
        assert completion.tokens > 0 and slow.pid != pid and slow.restarts == 1
        assert "hung" in slow.last_error
    finally:
        slow.close()


def test_the_worker_drops_to_one_thread_while_other_processes_hold_the_cores(worker):
    hogs = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(os.cpu_count() or 2)]
    try:
        threading.Event().wait(1.5)  # the worker samples /proc every 0.25 s
        completion = worker.complete(CODE + "        logger.", max_tokens=4, deadline_s=BUDGET_S)
    finally:
        for hog in hogs:
            hog.kill()
            hog.wait()
    assert worker.n_threads == 2 and completion.threads == 1


def test_tokenize_matches_the_prompt_the_worker_evaluates_and_ping_answers(worker):
    prompt = CODE + "        logger."
    tokens = worker.tokenize(prompt)
    completion = worker.complete(prompt, max_tokens=2, deadline_s=BUDGET_S)
    assert len(tokens) == completion.prompt_tokens
    assert completion.seconds >= completion.worker_seconds > 0
    assert worker.ping() > 0


def test_a_model_file_that_cannot_load_reports_failed_with_a_clear_error(tmp_path):
    garbage = tmp_path / "garbage.gguf"
    garbage.write_bytes(b"GGUF" + os.urandom(4096))
    choice = registry.ModelChoice(garbage, "garbage", None, registry.sha256_of(garbage))
    reports = []
    broken = ModelWorker(choice, on_progress=lambda *report: reports.append(report), log_path=tmp_path / "w.log")
    broken.start()
    try:
        assert broken.wait_ready(60) is False
        assert broken.state == "failed"
        assert "model garbage cannot be loaded" in broken.last_error and str(garbage) in broken.last_error
        assert "GGUF" in broken.last_error  # llama.cpp's own words about the header
        with pytest.raises(ModelFailed, match="cannot be loaded"):
            broken.complete("x", deadline_s=5)
        assert broken.state == "failed"  # not restarted by a request
        assert reports[-1][0] == "failed" and reports[-1][1] == broken.last_error
    finally:
        broken.close()


def test_get_worker_shares_one_worker_per_model_file(default_model_path):
    """Left running for the rest of the session, like the pipeline's (stopped at exit)."""
    choice = registry.resolve(Settings(model=str(default_model_path)))
    first = get_worker(choice)
    assert get_worker(choice) is first and first.state in ("loading", "ready")
    assert first.wait_ready(120) and get_worker(choice).pid == first.pid


def test_the_callers_stdout_stays_clean_and_llama_cpp_stays_out_of_its_process(default_model_path):
    """A stdio language server owns fd 1: nothing of the model may ever be written there."""
    script = f"""
import sys
from logsmith.model import registry
from logsmith.model.client import ModelWorker
from logsmith.settings import Settings
worker = ModelWorker(registry.resolve(Settings(model={str(default_model_path)!r})))
completion = worker.complete({CODE!r} + "        logger.", max_tokens=8, deadline_s=120)
worker.close()
print(repr(completion.text), "llama_cpp" in sys.modules, file=sys.stderr)
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=300)
    assert done.returncode == 0, done.stderr.decode()
    assert done.stdout == b""
    text, imported = done.stderr.decode().strip().splitlines()[-1].rsplit(" ", 1)
    assert text not in ("''", "") and imported == "False"


def test_the_worker_answers_malformed_requests_on_the_wire_and_keeps_serving(
    default_model_path, tmp_path
):
    """Lines written straight to a worker's input, as any caller could: what is not a JSON object
    is ignored, a malformed request is answered with an error naming its fault (with its id when
    it has one), and the worker goes on serving until it is shut down."""
    env = dict(os.environ, PYTHONPATH=str(Path(protocol.__file__).resolve().parents[2]))
    argv = [sys.executable, "-m", "logsmith.model.worker", "--model", str(default_model_path)]
    with open(tmp_path / "worker.log", "wb") as log:
        process = subprocess.Popen(
            argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log, env=env
        )
    lines: queue.Queue[bytes] = queue.Queue()
    reader = threading.Thread(target=lambda: [lines.put(line) for line in process.stdout])
    reader.daemon = True
    reader.start()
    try:
        events = [protocol.parse_event(protocol.decode(lines.get(timeout=120))) for _ in range(3)]
        assert [type(event) for event in events] == [
            protocol.ProgressEvent, protocol.ProgressEvent, protocol.ReadyEvent
        ]
        assert events[-1].pid == process.pid and events[-1].n_ctx > 0
        process.stdin.write(
            b"not json\n"
            b"[1, 2]\n"
            b'{"id": 1, "op": "complete"}\n'
            b'{"id": 2, "op": "dance"}\n'
            b'{"id": 3, "op": "complete", "prompt": "x", "stop": ["\\n", 1]}\n'
            b'{"op": "cancel"}\n'
            + protocol.encode(protocol.TokenizeRequest(id=4, text="hello"))
            + protocol.encode(protocol.PingRequest(id=5))
            + protocol.encode(protocol.ShutdownRequest(id=6))
        )
        process.stdin.flush()
        replies = [protocol.decode(lines.get(timeout=60)) for _ in range(7)]
        assert process.wait(timeout=30) == 0
    finally:
        process.kill()
        process.wait()
        process.stdin.close()
        process.stdout.close()
    assert replies[0] == {
        "id": 1, "ok": False, "kind": "request",
        "error": "malformed \"complete\" request: field 'prompt' is missing",
    }  # fmt: skip
    assert replies[1] == {"id": 2, "ok": False, "kind": "request", "error": "unknown op 'dance'"}
    assert replies[2]["id"] == 3
    assert "item 1 of field 'stop' must be a string" in replies[2]["error"]
    assert replies[3]["id"] is None and "field 'target' is missing" in replies[3]["error"]
    tokens = protocol.parse_reply(replies[4], protocol.TokensResult)
    assert tokens.id == 4 and len(tokens.result.tokens) >= 2
    assert replies[5:] == [{"id": 5, "ok": True, "result": {}}, {"id": 6, "ok": True, "result": {}}]
