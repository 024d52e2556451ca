"""The model worker process: loads one GGUF model with llama-cpp-python and answers JSON lines.

Run by `logsmith.model.client.ModelWorker` as `python -m logsmith.model.worker --model PATH`.
A crash in llama.cpp kills only this process, never the language server that started it.

It reads requests on stdin and writes replies and events on a private copy of stdout, one JSON
object per line: the messages of `logsmith.model.protocol`, which lists them all. Anything native
code prints to fd 1 goes to stderr (the worker log). A malformed request is answered with an
error (kind "request"), and a line that is not a JSON object is ignored; the worker keeps running.

A completion is declined ("too_slow") when evaluating its uncached prompt and writing a short
answer would end past the deadline, unless the request says "always_try". The thread count
follows the CPU other processes leave free (CpuShare).

The expected speed (SpeedEstimate) follows every measurement (each full prompt slice, each answer)
and, between measurements, comes back towards the fastest speed measured: an estimate raised by a
slow spell (another process holding the cores) does not keep declining requests after it.

Test seam: with LOGSMITH_WORKER_HOLD=PATH in the environment, while the file PATH exists every
"complete" request waits before it is read, after appending "holding request ID in process PID" to
PATH; removing the file lets it go on. A test uses it to have the worker killed (or stopped) while
it holds a request it cannot have answered.
"""

from __future__ import annotations

import argparse
import collections
import ctypes
import faulthandler
import math
import os
import queue
import sys
import tempfile
import threading
import time
from typing import TYPE_CHECKING, Literal, Protocol

from logsmith.model import protocol
from logsmith.model.protocol import (
    AnsweredRequest,
    CancelRequest,
    CompleteRequest,
    CompletionResult,
    EmptyResult,
    ErrorKind,
    ErrorReply,
    FailedEvent,
    OkReply,
    PingRequest,
    ProgressEvent,
    ProtocolError,
    ReadyEvent,
    ShutdownRequest,
    StopReason,
    TokenizeRequest,
    TokensResult,
    WarmRequest,
)

if TYPE_CHECKING:
    import numpy
    import numpy.typing

# Prompt tokens are evaluated in slices this long so a deadline or a cancel is seen between two
# slices (about 0.1 s for Gemma 270M, 0.45 s for Qwen 0.5B on 2 cores); slices of 64 are measured
# as fast as 256 here.
PREFILL_SLICE = 64
LOG_LEVEL_WARN, LOG_LEVEL_ERROR = 3, 4  # ggml_log_level
CANCELLED_IDS_KEPT = 64
# When the grammar rejects the model's first choice, it is applied to this many most likely tokens
# before the whole vocabulary (262k tokens for Gemma: about 45 ms a token on 2 cores).
GRAMMAR_SHORTLIST = 256
# A prompt too long for the context loses its oldest tokens in blocks of this many.
TRUNCATE_BLOCK = 256
# A completion is not started when evaluating its uncached prompt (more than one slice of it) and
# writing this many tokens would end past the deadline: the caller answers without the model at
# once, instead of at the deadline, and the prompt is read by a warm-up meanwhile.
ANSWER_TOKENS_EXPECTED = 10
# How far one measurement moves a speed estimate (in proportion: with 0.5 a slice 9 times slower
# than expected makes the estimate 3 times slower), and the half-life of an estimate's excess over
# the fastest speed measured while nothing is measured.
ESTIMATE_WEIGHT = 0.5
ESTIMATE_HALF_LIFE_S = 10.0
HOLD_ENV = "LOGSMITH_WORKER_HOLD"
HOLD_POLL_S = 0.02
RANDOM_SEED = 0xFFFFFFFF  # LLAMA_DEFAULT_SEED: llama.cpp picks a random seed


class RequestError(Exception):
    """The request cannot be served (bad grammar, bad value); the worker keeps running."""

    def __init__(self, message: str, kind: ErrorKind = "request"):
        super().__init__(message)
        self.kind: ErrorKind = kind


class StopCheck(Protocol):
    """should_stop(ahead_s=0.0): why to stop now, or None to go on (see `_stop_check`)."""

    def __call__(self, ahead_s: float = 0.0, /) -> Literal["cancelled", "deadline"] | None: ...


class Channel:
    """The protocol's output: a private copy of fd 1. Fd 1 itself is pointed at stderr."""

    def __init__(self):
        self._fd = os.dup(1)
        os.dup2(2, 1)
        sys.stdout = sys.stderr
        self._lock = threading.Lock()

    def send(self, message: OkReply | ErrorReply | protocol.Event) -> None:
        data = protocol.encode(message)
        with self._lock:
            view = memoryview(data)
            while view:
                view = view[os.write(self._fd, view) :]


class Inbox:
    """Reads requests from stdin in a thread, so a cancel is seen while the main thread computes."""

    def __init__(self):
        self._requests: queue.Queue[AnsweredRequest | ProtocolError] = queue.Queue()
        self._lock = threading.Lock()
        self._cancelled: collections.deque[int] = collections.deque(maxlen=CANCELLED_IDS_KEPT)
        threading.Thread(target=self._read, name="worker-inbox", daemon=True).start()

    def _read(self) -> None:
        for raw in sys.stdin.buffer:
            try:
                message = protocol.decode(raw)
            except ProtocolError as exc:
                print(f"worker: ignoring {exc}", file=sys.stderr)
                continue
            try:
                request = protocol.parse_request(message)
            except ProtocolError as exc:  # answered by the main thread, in turn
                self._requests.put(exc)
                continue
            if isinstance(request, CancelRequest):
                with self._lock:
                    self._cancelled.append(request.target)
            else:
                self._requests.put(request)
        # The parent closed our stdin or died: nothing will read our answers any more.
        os._exit(0)

    def next_request(self) -> AnsweredRequest | ProtocolError:
        """The next request to serve, or the error that makes a malformed one unservable."""
        return self._requests.get()

    def is_cancelled(self, request_id: int) -> bool:
        with self._lock:
            return request_id in self._cancelled


class LlamaLog:
    """Keeps llama.cpp's warnings and errors: written to the worker log, the last few kept for
    messages."""

    def __init__(self, log_fd: int):
        import llama_cpp

        self._log_fd = log_fd
        self.recent: collections.deque[str] = collections.deque(maxlen=8)

        @llama_cpp.llama_log_callback
        def on_log(level, text, user_data):
            if level >= LOG_LEVEL_WARN and text:
                line = text.decode("utf-8", "replace")
                if level >= LOG_LEVEL_ERROR and line.strip():
                    self.recent.append(line.strip())
                try:
                    os.write(self._log_fd, line.encode("utf-8"))
                except OSError:
                    pass

        # Keep a reference: ctypes callbacks must outlive their registration.
        self._callback = on_log
        llama_cpp.llama_log_set(on_log, ctypes.c_void_p(0))

    def last_error(self) -> str:
        return self.recent[-1] if self.recent else ""

    def first_error(self) -> str:
        """The oldest error kept: usually the cause, the later ones its consequences."""
        return self.recent[0] if self.recent else ""


class CapturedStderr:
    """Collects what native code writes to fd 2 while it is open (the grammar parser prints its
    errors)."""

    def __enter__(self):
        self._file = tempfile.TemporaryFile()
        self._saved = os.dup(2)
        os.dup2(self._file.fileno(), 2)
        self.text = ""
        return self

    def __exit__(self, *exc_info):
        os.dup2(self._saved, 2)
        os.close(self._saved)
        self._file.seek(0)
        self.text = self._file.read().decode("utf-8", "replace").strip()
        self._file.close()
        return False


class TokenSampler:
    """Picks each next token: greedy at temperature 0, else top-k/top-p/min-p sampling.

    With a grammar, the unconstrained choice is tried first and the grammar is applied to the
    whole vocabulary only when it rejects that choice: applying it to Gemma's 262k-token
    vocabulary at every step costs about 45 ms a token on 2 cores.
    """

    def __init__(self, model: LoadedModel, temperature: float, grammar, seed: int):
        lib = self.lib = model.lib
        self.model = model
        self.grammar = grammar
        self.chain = lib.llama_sampler_chain_init(lib.llama_sampler_chain_default_params())
        if temperature <= 0:
            parts = [lib.llama_sampler_init_greedy()]
        else:
            parts = [
                lib.llama_sampler_init_top_k(40),
                lib.llama_sampler_init_top_p(0.95, 1),
                lib.llama_sampler_init_min_p(0.05, 1),
                lib.llama_sampler_init_temp(temperature),
                lib.llama_sampler_init_dist(seed),
            ]
        for part in parts:
            lib.llama_sampler_chain_add(self.chain, part)
        self._candidates: numpy.typing.NDArray[numpy.void] | None = None
        """Scratch llama_token_data records for the whole vocabulary, made on first use."""
        self.logprobs: list[float] = []
        """The log-probability of each token chosen so far (see `_logprob`)."""

    def sample(self) -> int:
        """The next token; its log-probability is appended to `logprobs`."""
        lib, ctx = self.lib, self.model.llm.ctx
        token = lib.llama_sampler_sample(self.chain, ctx, -1)
        if self.grammar is not None:
            single = (lib.llama_token_data * 1)(lib.llama_token_data(token, 0.0, 0.0))
            view = lib.llama_token_data_array(single, 1, -1, False)
            lib.llama_sampler_apply(self.grammar, ctypes.byref(view))
            if single[0].logit == float("-inf"):
                token = self._sample_constrained(ctx)
            # The end of text is only chosen where the grammar allows it.
            if not self.model.is_end(token):
                lib.llama_sampler_accept(self.grammar, token)
        self.logprobs.append(self._logprob(token))
        return token

    def _logprob(self, token: int) -> float:
        """The log-probability of `token` over the whole vocabulary at temperature 1 (the model's
        own belief, before the grammar and the sampling settings): measured on dev answers, it
        tells weak answers apart better than the probability among the tokens the grammar allows,
        and costs a quarter of it."""
        import numpy

        pointer = self.lib.llama_get_logits_ith(self.model.llm.ctx, -1)
        logits = numpy.ctypeslib.as_array(pointer, shape=(self.model.n_vocab,))
        top = float(logits.max())
        total = float(numpy.exp(logits - top).sum(dtype=numpy.float64))
        return float(logits[token]) - top - math.log(total)

    def _sample_constrained(self, ctx) -> int:
        """Apply the grammar to the most likely tokens first, to the whole vocabulary only if none
        fits."""
        import numpy

        lib, n_vocab = self.lib, self.model.n_vocab
        if self._candidates is None:
            self._candidates = numpy.zeros(
                n_vocab, dtype=[("id", "<i4"), ("logit", "<f4"), ("p", "<f4")]
            )
        all_candidates = self._candidates
        logits = numpy.ctypeslib.as_array(lib.llama_get_logits_ith(ctx, -1), shape=(n_vocab,))
        likely = numpy.argpartition(logits, -GRAMMAR_SHORTLIST)[-GRAMMAR_SHORTLIST:]
        for ids in (likely, None):
            count = n_vocab if ids is None else len(ids)
            candidates = all_candidates[:count]
            candidates["id"] = numpy.arange(n_vocab, dtype="<i4") if ids is None else ids
            candidates["logit"] = logits if ids is None else logits[ids]
            candidates["p"] = 0.0
            view = lib.llama_token_data_array(
                candidates.ctypes.data_as(lib.llama_token_data_p), count, -1, False
            )
            lib.llama_sampler_apply(self.grammar, ctypes.byref(view))
            if ids is None or numpy.isfinite(candidates["logit"]).any():
                lib.llama_sampler_apply(self.chain, ctypes.byref(view))
                return view.data[view.selected].id
        raise AssertionError("unreachable")

    def close(self) -> None:
        self.lib.llama_sampler_free(self.chain)
        if self.grammar is not None:
            self.lib.llama_sampler_free(self.grammar)


class SpeedEstimate:
    """Seconds per token of one kind of work (a prompt slice, or an answer), as expected now.

    Each measurement moves the estimate ESTIMATE_WEIGHT of the way towards it, in proportion (the
    average of the logarithms), so one slow slice on a busy machine raises it a little and a run of
    them raises it fully. While nothing is measured (in the gaps between measurements, not during
    one), the estimate's excess over the fastest speed measured (the idle machine's) halves every
    ESTIMATE_HALF_LIFE_S: a worker that declines every request after a slow spell measures nothing,
    and without this would keep declining for good. If the machine is still slow when the worker
    tries again, that try measures it.
    """

    def __init__(
        self,
        weight: float = ESTIMATE_WEIGHT,
        half_life_s: float = ESTIMATE_HALF_LIFE_S,
        clock=time.monotonic,
    ):
        self._weight = weight
        self._half_life_s = half_life_s
        self._clock = clock
        self._log: float | None = None  # log of the estimate at the last measurement
        self._best: float | None = None  # log of the fastest measurement
        self._at = 0.0

    def add(self, seconds_per_token: float, took_s: float = 0.0) -> None:
        """A measurement that took `took_s` seconds and just ended (the estimate does not decay
        while work is being measured, only in the gaps between measurements)."""
        if not seconds_per_token > 0 or math.isinf(seconds_per_token):
            return
        measured = math.log(seconds_per_token)
        now = self._clock()
        current = self._log_at(max(self._at, now - max(0.0, took_s)))
        self._log = measured if current is None else current + self._weight * (measured - current)
        self._best = measured if self._best is None else min(self._best, measured)
        self._at = now

    def seconds(self) -> float:
        """The expected seconds per token now; 0.0 before the first measurement."""
        value = self._log_at(self._clock())
        return 0.0 if value is None else math.exp(value)

    def _log_at(self, now: float) -> float | None:
        if self._log is None or self._best is None:
            return None
        elapsed = max(0.0, now - self._at)
        return self._best + (self._log - self._best) * 0.5 ** (elapsed / self._half_life_s)


class CpuShare:
    """How much CPU other processes use right now, sampled from /proc, to choose the thread count.

    llama.cpp's threads wait for each other at every step, so when another process holds a core,
    two threads run 3-7 times slower than one (measured on 2 cores with other model runs going).
    The worker uses all its threads only while the other processes leave enough cores free.
    """

    def __init__(self, max_threads: int, period_s: float = 0.25):
        self.max_threads = max(1, max_threads)
        self.cores = os.cpu_count() or 1
        self.others = 0.0  # cores busy with other processes, smoothed
        self.period_s = period_s
        self.sampled = threading.Event()
        """Set once `others` holds a first measurement (at once when there is nothing to
        measure)."""
        self._ticks_per_s = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
        self.available = self.max_threads > 1 and self._sample() is not None
        if self.available:
            threading.Thread(target=self._watch, name="worker-cpu-share", daemon=True).start()
        else:
            self.sampled.set()

    def threads(self) -> int:
        if not self.available:
            return self.max_threads
        return max(1, min(self.max_threads, int(self.cores - self.others + 0.5)))

    def _sample(self) -> tuple[float, int, int] | None:
        """(time, busy ticks of all processes, ticks of this process), or None without /proc."""
        try:
            with open("/proc/stat", encoding="ascii") as handle:
                fields = [int(value) for value in handle.readline().split()[1:]]
            with open("/proc/self/stat", encoding="ascii") as handle:
                own = handle.read().rsplit(")", 1)[1].split()
        except (OSError, ValueError, IndexError):
            return None
        idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
        return time.monotonic(), sum(fields[:8]) - idle, int(own[11]) + int(own[12])

    def _watch(self) -> None:
        previous = self._sample()
        try:
            while previous is not None:
                time.sleep(self.period_s)
                current = self._sample()
                if current is None:
                    return
                elapsed_ticks = (current[0] - previous[0]) * self._ticks_per_s
                if elapsed_ticks > 0:
                    others_now = (
                        max(0.0, (current[1] - previous[1]) - (current[2] - previous[2]))
                        / elapsed_ticks
                    )
                    self.others = (
                        0.5 * self.others + 0.5 * others_now
                        if self.sampled.is_set()
                        else others_now
                    )
                    self.sampled.set()
                previous = current
        finally:
            self.sampled.set()  # nobody waits for a measurement that will not come


class LoadedModel:
    """One llama.cpp model and context, kept for the life of the worker so the KV cache is
    reused."""

    def __init__(self, path: str, n_threads: int, n_ctx: int, n_batch: int, log: LlamaLog):
        import llama_cpp

        self.lib = llama_cpp
        self._log = log
        with open(path, "rb") as handle:
            if handle.read(4) != b"GGUF":
                raise RuntimeError(f"{path} is not a GGUF file (no GGUF magic bytes)")
        # Started before loading, so the warm-up knows the cores' use.
        self.cpu = CpuShare(n_threads)
        log.recent.clear()
        try:
            self.llm = llama_cpp.Llama(
                model_path=path,
                n_ctx=n_ctx,
                n_batch=n_batch,
                n_ubatch=n_batch,
                n_threads=n_threads,
                n_threads_batch=n_threads,
                # Keeps sliding-window layers (Gemma 3) rewindable to any cached prefix.
                swa_full=True,
                verbose=False,
            )
        except Exception as exc:
            raise RuntimeError(f"llama.cpp cannot load {path}: {log.first_error() or exc}") from exc
        self.vocab = llama_cpp.llama_model_get_vocab(self.llm.model)
        self.threads = n_threads
        self.n_ctx = self.llm.n_ctx()
        self.n_vocab = self.llm.n_vocab()
        self._logits_at: int | None = None  # n_tokens when the current logits were computed
        self.prefill_rate = SpeedEstimate()
        """Seconds per prompt token, measured on full prefill slices."""
        self.generate_rate = SpeedEstimate()
        """Seconds per generated token (sampling and one step), measured on whole answers."""
        self._pieces: dict[int, bytes] = {}
        # GBNF text -> compiled grammar sampler, never used directly.
        self._grammars: dict[str, object] = {}

    def warm_up(self) -> None:
        """One prompt slice now, so a native crash (in some CPUs' AMX kernels) shows while loading,
        not later, and the first request already knows how long a slice takes (see `prefill`).

        The slice runs on the threads the other processes leave free, as requests do: two threads
        sharing a core with another process are many times slower, and a first estimate measured
        that way would make the worker decline requests it can answer in time."""
        self.cpu.sampled.wait(4 * self.cpu.period_s)
        self.use_free_cores()
        token = self.tokenize("\n")[:1] or [self.llm.token_bos()]
        began = time.monotonic()
        self.eval(token * PREFILL_SLICE)
        took = time.monotonic() - began
        self.prefill_rate.add(took / PREFILL_SLICE, took)
        began = time.monotonic()
        self.eval(token)
        took = time.monotonic() - began
        self.generate_rate.add(took, took)
        self.forget_cache()

    def use_free_cores(self) -> int:
        """Set the thread count for the next steps from the CPU other processes leave free."""
        wanted = self.cpu.threads()
        if wanted != self.threads:
            self.lib.llama_set_n_threads(self.llm.ctx, wanted, wanted)
            self.threads = wanted
        return wanted

    def eval(self, tokens: list[int]) -> None:
        self.llm.eval(tokens)
        self._logits_at = self.llm.n_tokens

    def forget_cache(self) -> None:
        """After an unexpected error the KV cache may be half-written: the next prompt starts
        afresh."""
        self.llm.n_tokens = 0
        self._logits_at = None

    # -- text and tokens -----------------------------------------------------------------------

    def tokenize(self, text: str) -> list[int]:
        return self.llm.tokenize(text.encode("utf-8"), add_bos=True, special=True)

    def piece(self, token: int) -> bytes:
        cached = self._pieces.get(token)
        if cached is None:
            size = 64
            while True:
                buffer = ctypes.create_string_buffer(size)
                n = self.lib.llama_token_to_piece(self.vocab, token, buffer, size, 0, False)
                if n >= 0:
                    cached = buffer.raw[:n]
                    break
                size = -n
            self._pieces[token] = cached
        return cached

    def is_end(self, token: int) -> bool:
        return bool(self.lib.llama_vocab_is_eog(self.vocab, token))

    def compile_grammar(self, text: str | None):
        """The grammar, compiled once per text (a GBNF error is a RequestError); None without
        one."""
        if not text:
            return None
        if text not in self._grammars:
            with CapturedStderr() as captured:
                sampler = self.lib.llama_sampler_init_grammar(
                    self.vocab, text.encode("utf-8"), b"root"
                )
            if not sampler:
                reason = " ".join(captured.text.split()) or self._log.last_error() or "parse error"
                raise RequestError(f"invalid GBNF grammar: {reason}", kind="grammar")
            if len(self._grammars) >= 32:
                for old in self._grammars.values():
                    self.lib.llama_sampler_free(old)
                self._grammars.clear()
            self._grammars[text] = sampler
        return self._grammars[text]

    # -- the KV cache --------------------------------------------------------------------------

    def fit(self, tokens: list[int], room: int) -> tuple[list[int], int]:
        """Drop the oldest prompt tokens (keeping BOS) so the prompt and `room` new tokens fit.

        Tokens are dropped in whole blocks, so while the user types at the end of a long prompt its
        start stays put and the KV cache still holds it.
        """
        limit = self.n_ctx - room
        if len(tokens) <= limit:
            return tokens, 0
        head = 1 if tokens[0] == self.llm.token_bos() else 0
        excess = len(tokens) - limit
        dropped = min(-(-excess // TRUNCATE_BLOCK) * TRUNCATE_BLOCK, len(tokens) - head - 1)
        return tokens[:head] + tokens[head + dropped :], dropped

    def cached_prefix(self, tokens: list[int]) -> int:
        """How many leading `tokens` the KV cache already holds."""
        cached = self.llm.input_ids[: self.llm.n_tokens]
        common = 0
        for have, want in zip(cached, tokens, strict=False):
            if have != want:
                break
            common += 1
        return common

    @property
    def prefill_token_s(self) -> float:
        """Expected seconds per prompt token now (see SpeedEstimate)."""
        return self.prefill_rate.seconds()

    @property
    def generate_token_s(self) -> float:
        """Expected seconds per generated token now (see SpeedEstimate)."""
        return self.generate_rate.seconds()

    def needed_seconds(self, uncached: int, answer_tokens: int) -> float:
        """Expected time to evaluate `uncached` prompt tokens and write `answer_tokens`."""
        return uncached * self.prefill_token_s + answer_tokens * self.generate_token_s

    def prefill(
        self, tokens: list[int], should_stop: StopCheck, common: int | None = None
    ) -> tuple[int, int, StopReason | None]:
        """Evaluate `tokens` into the KV cache, reusing the longest prefix already there.

        Returns (reused, evaluated, stop reason or None). At least one token is evaluated unless
        the whole prompt is the cache, so the logits always belong to the last prompt token.
        `common` is `cached_prefix(tokens)` when the caller already knows it.
        """
        llm = self.llm
        common = self.cached_prefix(tokens) if common is None else common
        if common == len(tokens) == llm.n_tokens == self._logits_at:
            return common, 0, None
        keep = min(common, len(tokens) - 1)
        llm.n_tokens = keep  # the next eval drops the cache from here on
        evaluated = 0
        last_slice_s = 0.0  # seconds per token of this prompt's previous full slice
        for start in range(keep, len(tokens), PREFILL_SLICE):
            piece = tokens[start : start + PREFILL_SLICE]
            # A slice is not started when it would end past the deadline: the caller gives up soon
            # after it. Expected at the slower of the estimate and this prompt's previous slice:
            # within one request the machine's speed is known better than the estimate's average
            # says.
            reason = should_stop(max(self.prefill_token_s, last_slice_s) * len(piece))
            if reason:
                return keep, evaluated, reason
            self.use_free_cores()
            began = time.monotonic()
            self.eval(piece)
            # A short slice's time is mostly fixed cost, not per token.
            if len(piece) == PREFILL_SLICE:
                took = time.monotonic() - began
                last_slice_s = took / len(piece)
                self.prefill_rate.add(last_slice_s, took)
            evaluated += len(piece)
        return keep, evaluated, None

    # -- requests ------------------------------------------------------------------------------

    def complete(self, request: CompleteRequest, should_stop: StopCheck) -> CompletionResult:
        started = time.perf_counter()
        max_tokens = request.max_tokens
        if not 0 < max_tokens < self.n_ctx // 2:
            limit = self.n_ctx // 2 - 1
            raise RequestError(f"max_tokens must be between 1 and {limit}, got {max_tokens}")
        stops = [stop for stop in request.stop if stop]
        seed = RANDOM_SEED if request.seed is None else request.seed
        grammar = self.compile_grammar(request.grammar)
        tokens, truncated = self.fit(self._prompt_tokens(request.prompt), max_tokens + 1)
        common = self.cached_prefix(tokens)
        uncached = len(tokens) - min(common, len(tokens) - 1)
        needed = self.needed_seconds(uncached, min(max_tokens, ANSWER_TOKENS_EXPECTED))
        # A prompt that is (nearly) all cached is always tried: that is also how the rates stay
        # measured.
        may_decline = not request.always_try and uncached > PREFILL_SLICE
        stopped_by: StopReason | None
        if may_decline and should_stop(needed) == "deadline":
            reused, evaluated, stopped_by = common, 0, "too_slow"
        else:
            reused, evaluated, stopped_by = self.prefill(tokens, should_stop, common)
        prompt_done = time.perf_counter()
        text, generated = "", 0
        logprobs: list[float] = []
        threads = self.use_free_cores()
        if stopped_by is None:
            grammar_copy = self.lib.llama_sampler_clone(grammar) if grammar else None
            sampler = TokenSampler(self, request.temperature, grammar_copy, seed)
            try:
                text, generated, stopped_by = self._generate(
                    sampler, max_tokens, stops, should_stop
                )
                logprobs = sampler.logprobs
            finally:
                sampler.close()
        finished = time.perf_counter()
        return CompletionResult(
            text=text,
            tokens=generated,
            prompt_tokens=len(tokens),
            reused_tokens=reused,
            evaluated_tokens=evaluated,
            truncated_tokens=truncated,
            prompt_seconds=prompt_done - started,
            generation_seconds=finished - prompt_done,
            seconds=finished - started,
            stopped_by=stopped_by,
            needed_seconds=needed,
            threads=threads,
            token_logprobs=tuple(logprobs),
        )

    def _generate(
        self, sampler: TokenSampler, max_tokens: int, stops: list[str], should_stop: StopCheck
    ) -> tuple[str, int, StopReason]:
        """Sample tokens after the prompt until a stop string, the end of text, the limit or a stop
        request; keeps `generate_token_s` up to date."""
        began = time.monotonic()
        text, count, reason = self._sample_until_stop(sampler, max_tokens, stops, should_stop)
        if count:
            took = time.monotonic() - began
            self.generate_rate.add(took / count, took)
        return text, count, reason

    def _sample_until_stop(
        self, sampler: TokenSampler, max_tokens: int, stops: list[str], should_stop: StopCheck
    ) -> tuple[str, int, StopReason]:
        raw, count = b"", 0
        while True:
            token = sampler.sample()
            if self.is_end(token):
                return raw.decode("utf-8", "replace"), count, "stop"
            count += 1
            raw += self.piece(token)
            text = raw.decode("utf-8", "ignore")
            cut = min((i for i in (text.find(stop) for stop in stops) if i >= 0), default=-1)
            if cut >= 0:
                return text[:cut], count, "stop"
            if count >= max_tokens or self.llm.n_tokens >= self.n_ctx:
                return raw.decode("utf-8", "replace"), count, "length"
            reason = should_stop()
            if reason:
                return raw.decode("utf-8", "replace"), count, reason
            self.eval([token])

    def warm(self, request: WarmRequest, should_stop: StopCheck) -> CompletionResult:
        started = time.perf_counter()
        tokens, truncated = self.fit(self._prompt_tokens(request.prompt), 64)
        reused, evaluated, stopped_by = self.prefill(tokens, should_stop)
        seconds = time.perf_counter() - started
        return CompletionResult(
            text="",
            tokens=0,
            prompt_tokens=len(tokens),
            reused_tokens=reused,
            evaluated_tokens=evaluated,
            truncated_tokens=truncated,
            prompt_seconds=seconds,
            generation_seconds=0.0,
            seconds=seconds,
            stopped_by=stopped_by or "stop",
            threads=self.threads,
        )

    def _prompt_tokens(self, prompt: str) -> list[int]:
        tokens = self.tokenize(prompt)
        if not tokens:
            raise RequestError("the prompt is empty")
        return tokens


def _stop_check(inbox: Inbox, request_id: int, deadline: float | None) -> StopCheck:
    def should_stop(ahead_s: float = 0.0) -> Literal["cancelled", "deadline"] | None:
        """Why to stop now: cancelled, or the deadline comes before `ahead_s` more seconds of work
        end."""
        if inbox.is_cancelled(request_id):
            return "cancelled"
        if deadline is not None and time.monotonic() + ahead_s >= deadline:
            return "deadline"
        return None

    return should_stop


def _hold(request_id: int) -> None:
    """The test seam HOLD_ENV (see the module docstring): wait while its file exists."""
    path = os.environ.get(HOLD_ENV)
    if not path:
        return
    try:  # never creates the file: once it is gone, nothing holds the request
        handle = os.open(path, os.O_WRONLY | os.O_APPEND)
    except OSError:
        return
    try:
        os.write(handle, f"holding request {request_id} in process {os.getpid()}\n".encode())
    finally:
        os.close(handle)
    while os.path.exists(path):
        time.sleep(HOLD_POLL_S)


def serve(model: LoadedModel, inbox: Inbox, channel: Channel) -> None:
    while True:
        request = inbox.next_request()
        if isinstance(request, ProtocolError):
            channel.send(ErrorReply(id=request.request_id, kind="request", error=str(request)))
            continue
        if isinstance(request, CompleteRequest):
            _hold(request.id)
        received = time.monotonic()
        result: protocol.Result
        try:
            if isinstance(request, ShutdownRequest):
                channel.send(OkReply(id=request.id, result=EmptyResult()))
                return
            if isinstance(request, PingRequest):
                result = EmptyResult()
            elif isinstance(request, TokenizeRequest):
                result = TokensResult(tokens=tuple(model.tokenize(request.text)))
            elif isinstance(request, (CompleteRequest, WarmRequest)):
                budget = request.deadline_s
                deadline = None if budget is None else received + budget
                should_stop = _stop_check(inbox, request.id, deadline)
                if isinstance(request, CompleteRequest):
                    result = model.complete(request, should_stop)
                else:
                    result = model.warm(request, should_stop)
            else:
                raise RequestError(f"no handler for {type(request).__name__}")
            channel.send(OkReply(id=request.id, result=result))
        except RequestError as exc:
            channel.send(ErrorReply(id=request.id, kind=exc.kind, error=str(exc)))
        except Exception as exc:  # keep serving
            model.forget_cache()
            print(f"worker: {type(request).__name__} failed: {exc!r}", file=sys.stderr)
            error = f"{type(exc).__name__}: {exc}"
            channel.send(ErrorReply(id=request.id, kind="request", error=error))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m logsmith.model.worker")
    parser.add_argument("--model", required=True)
    parser.add_argument("--n-threads", type=int, default=2)
    parser.add_argument("--n-ctx", type=int, default=2048)
    parser.add_argument("--n-batch", type=int, default=256)
    args = parser.parse_args(argv)

    channel = Channel()
    log_fd = os.dup(2)  # survives llama-cpp-python pointing fd 2 at /dev/null while it loads
    faulthandler.enable(file=os.fdopen(os.dup(log_fd), "w"))
    inbox = Inbox()
    channel.send(ProgressEvent(message="loading the model", percentage=10))
    started = time.monotonic()
    try:
        log = LlamaLog(log_fd)
        model = LoadedModel(args.model, args.n_threads, args.n_ctx, args.n_batch, log)
        channel.send(ProgressEvent(message="warming up the model", percentage=80))
        model.warm_up()
    except Exception as exc:
        print(f"worker: cannot load {args.model}: {exc!r}", file=sys.stderr)
        channel.send(FailedEvent(error=str(exc)))
        return 1
    load_seconds = time.monotonic() - started
    channel.send(ReadyEvent(load_seconds=load_seconds, n_ctx=model.n_ctx, pid=os.getpid()))
    serve(model, inbox, channel)
    return 0


if __name__ == "__main__":
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    # Not sys.exit(): the inbox thread is blocked reading stdin, and finalizing the interpreter
    # under it aborts the process (SIGABRT: "could not acquire lock for <stdin>").
    os._exit(code)
