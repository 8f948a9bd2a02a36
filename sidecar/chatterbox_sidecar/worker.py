"""Serial workers: threads that run admitted jobs one at a time, behind a bounded priority queue.

`SerialWorker` is the queue machinery: admission (bounded; past --queue-capacity the caller gets
RESOURCE_EXHAUSTED at once instead of waiting without limit), a bounded wait (a job that has not started
--max-queue-wait-seconds after admission is withdrawn and refused with RESOURCE_EXHAUSTED too, by a watchdog
thread that runs while jobs wait, so it fires while the worker thread is busy), withdrawal of jobs whose
caller went away, deadline and cancellation checks before a job starts, and the drain on stop. Queued jobs
start highest priority first (interactive, standard, batch; the caller's `x-priority`), in admission order
within one priority. Batch jobs may fill only half the queue, so long-form work never locks interactive
callers out. A running job also gives way between its segments (Job.yield_point): queued jobs of higher
priority run there, on the same thread, before it goes on, so a long standard or batch call delays an
interactive one by at most one segment. That is safe because engines keep no state from one segment to the
next (each segment sets its own voice conditioning and seed).
`InferenceWorker` is the one that owns the TTS engines: the official model objects are stateful and a GPU
is used best by one job at a time, so every engine call happens on its thread. Speech recognition has its
own SerialWorker (stt/recognizer.py), so neither kind of work waits behind the other.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any

from . import call_metadata
from .engines.base import EngineInfo
from .engines.engine_set import EngineSet
from .errors import Cancelled, DeadlineExceeded, Draining, Loading, NotLoaded, QueueFull

log = logging.getLogger("chatterbox_sidecar.worker")

EMPTY, LOADING, READY, BUSY, DRAINING = "empty", "loading", "ready", "busy", "draining"


@dataclass
class Job:
    """Admitted work. `run` does it on the worker thread, given the worker's resource (the TTS worker's is
    the loaded EngineSet); `abort` reports an error to whoever waits."""

    request_id: str
    run: Callable[[Any, Job], None]
    abort: Callable[[BaseException], None]
    cancel_event: threading.Event = field(default_factory=threading.Event)
    deadline: float | None = None  # time.monotonic() value
    enqueued_at: float = field(default_factory=time.monotonic)
    started_at: float | None = None
    trace_id: str = ""  # from the caller's traceparent; "" when it sent none
    priority: str = call_metadata.STANDARD  # one of call_metadata.PRIORITIES
    # time.monotonic() value by which the job must start; set on admission when the worker bounds the wait.
    start_by: float | None = field(default=None, init=False)
    # Called by the running job between two pieces of its work (segments): runs the queued jobs of higher
    # priority first. Set by the worker when the job starts.
    yield_point: Callable[[], None] = field(default=lambda: None, init=False)

    def __post_init__(self) -> None:
        if self.priority not in call_metadata.PRIORITIES:  # callers validate first (rpc_jobs): this is a bug
            raise ValueError(f"unknown job priority {self.priority!r}")

    def log_ids(self) -> dict[str, str]:
        """The fields naming this job's call in log lines (see call_metadata.log_ids)."""
        return call_metadata.ids_for_log(self.request_id, self.trace_id)


@dataclass(frozen=True)
class Status:
    state: str
    queue_depth: int
    queue_capacity: int
    running_request_id: str


class SerialWorker:
    """A thread running admitted jobs in order, each given `resource` (see the module docstring)."""

    def __init__(self, capacity: int, name: str, resource: object = None, max_queue_wait: float = 0.0) -> None:
        self._capacity = capacity
        self._name = name  # in messages: "the <name> queue is full"
        self._resource = resource
        self._max_queue_wait = max_queue_wait  # seconds a job may wait to start; 0 = until its deadline
        self._watchdog: threading.Thread | None = None  # alive while jobs wait and the wait is bounded
        # One FIFO per priority, highest first; `capacity` bounds their total.
        self._queues: dict[str, deque[Job]] = {priority: deque() for priority in call_metadata.PRIORITIES}
        # Batch jobs get at most half the queue (rounded up), so the rest stays free for interactive and
        # standard callers; at least one place, so a queue of one still takes batch work.
        self._batch_capacity = max(1, (capacity + 1) // 2)
        self._changed = threading.Condition()
        self._draining = False
        self._running: Job | None = None
        threading.Thread(target=self._serve_forever, name=f"{name.replace(' ', '-')}-worker", daemon=True).start()

    def submit(self, job: Job) -> None:
        """Queues `job`, or raises (Draining, QueueFull, or what a subclass refuses) without queueing it."""
        with self._changed:
            self._check_accepting()
            if self._depth() >= self._capacity:
                raise QueueFull(f"the {self._name} queue is full ({self._capacity} jobs waiting); retry later")
            queue = self._queues[job.priority]
            if job.priority == call_metadata.BATCH and len(queue) >= self._batch_capacity:
                raise QueueFull(
                    f"the batch share of the {self._name} queue is full ({self._batch_capacity} batch jobs "
                    "waiting); retry later"
                )
            queue.append(job)
            if self._max_queue_wait > 0:
                job.start_by = time.monotonic() + self._max_queue_wait
                self._start_watchdog()
            self._changed.notify_all()

    def withdraw(self, job: Job) -> bool:
        """Removes a job that has not started (its caller went away); False if it already started."""
        with self._changed:
            queue = self._queues[job.priority]
            if job in queue:
                queue.remove(job)
                self._changed.notify_all()
                return True
            return False

    def running_job(self) -> Job | None:
        """The job on the worker thread right now, if any."""
        with self._changed:
            return self._running

    def status(self) -> Status:
        """A consistent snapshot (GetStatus reports the inference worker's)."""
        with self._changed:
            return self._status()

    def wait_until(self, predicate: Callable[[Status], bool], timeout: float | None = None) -> bool:
        """Blocks until `predicate(status)` holds (re-checked on every state change); False on timeout."""
        with self._changed:
            return self._changed.wait_for(lambda: predicate(self._status()), timeout)

    def check_accepting(self) -> None:
        """Raises what submit() would raise for a refusal that does not depend on the queue's length."""
        with self._changed:
            self._check_accepting()

    def drain(self, grace_seconds: float) -> bool:
        """begin_drain() then finish_drain(grace_seconds)."""
        self.begin_drain()
        return self.finish_drain(grace_seconds)

    def begin_drain(self) -> None:
        """Refuses new work and aborts queued jobs with Draining (UNAVAILABLE); the running job goes on."""
        with self._changed:
            self._draining = True
            waiting = [job for queue in self._queues.values() for job in queue]
            for queue in self._queues.values():
                queue.clear()
            self._changed.notify_all()
        for job in waiting:
            job.abort(Draining("the sidecar is shutting down; the job was not started"))

    def finish_drain(self, timeout: float) -> bool:
        """Waits up to `timeout` for the running job. Returns False, after asking it to stop, if it did not
        finish in time."""
        with self._changed:
            finished = self._changed.wait_for(lambda: self._running is None, timeout=max(timeout, 0.0))
            if not finished and self._running is not None:
                log.warning(
                    f"running {self._name} job did not finish within the grace period; cancelling it",
                    extra=self._running.log_ids(),
                )
                self._running.cancel_event.set()
        return finished

    def _check_accepting(self) -> None:
        if self._draining:
            raise Draining("the sidecar is shutting down")

    def _status(self) -> Status:
        return Status(self._state(), self._depth(), self._capacity, self._running.request_id if self._running else "")

    def _state(self) -> str:
        if self._draining:
            return DRAINING
        return BUSY if self._running is not None or self._depth() else READY

    def _depth(self) -> int:
        return sum(len(queue) for queue in self._queues.values())

    def _start_watchdog(self) -> None:
        # Under the lock. The watchdog clears self._watchdog under the lock as it exits, so there is never
        # more than one, and one runs whenever a job with a bounded wait is queued.
        if self._watchdog is None:
            name = f"{self._name.replace(' ', '-')}-queue-watchdog"
            self._watchdog = threading.Thread(target=self._expire_waiting_jobs, name=name, daemon=True)
            self._watchdog.start()

    def _expire_waiting_jobs(self) -> None:
        """The watchdog: withdraws every queued job whose start_by has passed and aborts it with QueueFull;
        exits once the queue is empty (after the last job started or was withdrawn, or on drain). Removal
        from the queue happens under the lock, as in withdraw(), begin_drain() and the worker loop, so
        exactly one of them gets each job."""
        while True:
            with self._changed:
                now = time.monotonic()
                waiting = [job for queue in self._queues.values() for job in queue]
                expired = [job for job in waiting if job.start_by is not None and job.start_by <= now]
                if not expired:
                    if not waiting:
                        self._watchdog = None
                        return
                    next_expiry = min(job.start_by for job in waiting if job.start_by is not None)
                    self._changed.wait(timeout=max(next_expiry - now, 0.0))  # or sooner, on any change
                    continue
                for job in expired:
                    self._queues[job.priority].remove(job)
                self._changed.notify_all()
            message = f"waited {self._max_queue_wait:g} s in the {self._name} queue without starting; retry later"
            for job in expired:  # the RPC then ends RESOURCE_EXHAUSTED, logged as "rpc refused" with the message
                job.abort(QueueFull(message))

    def _pop_above(self, priority: str | None) -> Job | None:
        """Under the lock: the next queued job of a priority higher than `priority` (of any priority when None),
        taken off its queue and marked running; None when none waits."""
        levels = call_metadata.PRIORITIES
        for level in levels if priority is None else levels[: levels.index(priority)]:
            if self._queues[level]:
                self._running = self._queues[level].popleft()
                return self._running
        return None

    def _give_way(self, current: Job) -> None:
        """Runs every job that waits with a higher priority than `current`, which is between two segments."""
        while True:
            with self._changed:
                job = self._pop_above(current.priority)
                resource = self._resource
            if job is None:
                return
            self._take_turn(job, resource, then=current)

    def _serve_forever(self) -> None:
        while True:
            with self._changed:
                self._changed.wait_for(lambda: self._depth() > 0)
                job = self._pop_above(None)
                resource = self._resource
            if job is not None:  # always: the queue was not empty
                self._take_turn(job, resource, then=None)

    def _take_turn(self, job: Job, resource: object, then: Job | None) -> None:
        """Runs `job`; afterwards `then` (the job it interrupted, or none) is the running one again."""
        try:
            self._run(job, resource)
        finally:
            with self._changed:
                self._running = then
                self._changed.notify_all()

    def _run(self, job: Job, resource: object) -> None:
        if job.cancel_event.is_set():
            job.abort(Cancelled("the request was cancelled before it started"))
            return
        if job.deadline is not None and time.monotonic() >= job.deadline:
            job.abort(DeadlineExceeded("the deadline passed while the request waited in the queue"))
            return
        job.started_at = time.monotonic()
        job.yield_point = lambda: self._give_way(job)
        try:
            job.run(resource, job)
        except Exception as error:  # noqa: BLE001 - reported to the waiting RPC, which maps it to a status
            job.abort(error)


class InferenceWorker(SerialWorker):
    """The TTS worker: owns the loaded EngineSet, which every job gets as its resource."""

    def __init__(self, capacity: int, max_queue_wait: float = 0.0) -> None:
        self._loaded_spec: Hashable = None
        self._loading = False
        super().__init__(capacity, "inference", max_queue_wait=max_queue_wait)

    def engine_info(self, name: str | None = None) -> EngineInfo:
        """Info of the engine a request names (EngineSet.select); raises like submit() when no work would
        be accepted."""
        with self._changed:
            self._check_accepting()
            return self._resource.select(name).info

    def loaded_engines(self) -> EngineSet | None:
        """The loaded engines whatever the state, None when nothing is loaded. For reading their infos:
        only jobs use the engines themselves."""
        with self._changed:
            return self._resource

    def load(self, spec: Hashable, load_engines: Callable[[], EngineSet]) -> EngineSet:
        """Replaces the engines once admitted jobs are done. Idempotent for the spec already loaded."""
        with self._changed:
            if self._draining:
                raise Draining("the sidecar is shutting down")
            if self._resource is not None and spec == self._loaded_spec:
                return self._resource
            if self._loading:
                raise Loading("another LoadModel call is in progress; retry shortly")
            self._loading = True
            self._changed.wait_for(lambda: self._depth() == 0 and self._running is None)
        try:
            engines = load_engines()
        except BaseException:
            with self._changed:
                self._loading = False
                self._changed.notify_all()
            raise
        with self._changed:
            previous, self._resource, self._loaded_spec = self._resource, engines, spec
            self._loading = False
            self._changed.notify_all()
        if previous is not None:
            previous.close()
        return engines

    def _check_accepting(self) -> None:
        super()._check_accepting()
        if self._loading:
            raise Loading("a model is loading; retry shortly")
        if self._resource is None:
            raise NotLoaded("no engine is loaded; LoadModel must succeed first")

    def _state(self) -> str:
        if self._draining:
            return DRAINING
        if self._loading:
            return LOADING
        if self._resource is None:
            return EMPTY
        return super()._state()
