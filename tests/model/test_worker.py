"""The model worker process with the real default model: grammar, KV-cache reuse, deadline, cancel,
a killed worker coming back, and a model file that cannot load."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import uuid

import pytest

from logsmith.model import registry
from logsmith.model.client import (
    Completion,
    ModelFailed,
    ModelNotReady,
    ModelRequestError,
    ModelWorker,
    get_worker,
)
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
    long_prompt = CODE + "".join(f"# note {n}: the configuration file may hold option {n} = value {n}\n" for n in range(120))
    completion = worker.complete(long_prompt + "        logger.", max_tokens=8, deadline_s=0.3)
    assert completion.stopped_by == "too_slow" and completion.evaluated_tokens == 0 and completion.text == ""
    assert completion.needed_seconds > 0.3 and completion.seconds < 0.3
    # once the prompt is in the cache, the same request fits the same budget
    worker.warm(long_prompt, deadline_s=BUDGET_S)
    again = worker.complete(long_prompt + "        logger.", max_tokens=8, deadline_s=2.0)
    assert again.stopped_by != "too_slow" and again.reused_tokens >= again.prompt_tokens - 8


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
