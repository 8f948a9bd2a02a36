"""The inference worker on its own: admission, priorities, deadlines, cancellation, loading and draining."""

from __future__ import annotations

import threading
import time

import pytest

from chatterbox_sidecar.errors import Cancelled, DeadlineExceeded, Draining, Loading, NotLoaded, QueueFull
from chatterbox_sidecar.worker import InferenceWorker, Job

from fakes import FakeEngine, engine_set


class Recorder:
    """A job whose run waits on `release` and whose abort records the error."""

    def __init__(self, request_id: str = "job", blocking: bool = False, priority: str = "standard") -> None:
        self.release = threading.Event()
        self.started = threading.Event()
        self.finished = threading.Event()
        self.errors: list[BaseException] = []
        self.blocking = blocking
        self.job = Job(request_id, run=self._run, abort=self._abort, priority=priority)
        self.started_order: list[str] | None = None  # when set, run() appends the request id to it

    def _run(self, engine, job) -> None:
        if self.started_order is not None:
            self.started_order.append(job.request_id)
        self.started.set()
        if self.blocking:
            assert self.release.wait(10)
        self.finished.set()

    def _abort(self, error: BaseException) -> None:
        self.errors.append(error)
        self.finished.set()


def loaded_worker(capacity: int = 4, max_queue_wait: float = 0.0) -> InferenceWorker:
    worker = InferenceWorker(capacity, max_queue_wait)
    worker.load("spec", lambda: engine_set(FakeEngine()))
    return worker


def test_nothing_is_accepted_before_an_engine_is_loaded():
    with pytest.raises(NotLoaded):
        InferenceWorker(1).submit(Recorder().job)


def test_a_job_whose_deadline_passed_in_the_queue_is_not_started():
    worker = loaded_worker()
    late = Recorder()
    late.job.deadline = time.monotonic() - 1
    worker.submit(late.job)
    assert late.finished.wait(5)
    assert not late.started.is_set() and isinstance(late.errors[0], DeadlineExceeded)


def test_a_job_cancelled_while_queued_is_not_started():
    worker = loaded_worker()
    blocker = Recorder("blocker", blocking=True)
    worker.submit(blocker.job)
    assert blocker.started.wait(5)
    cancelled = Recorder("cancelled")
    worker.submit(cancelled.job)
    cancelled.job.cancel_event.set()
    blocker.release.set()
    assert cancelled.finished.wait(5)
    assert not cancelled.started.is_set() and isinstance(cancelled.errors[0], Cancelled)


def test_capacity_counts_waiting_jobs_only():
    worker = loaded_worker(capacity=1)
    running, waiting = Recorder("running", blocking=True), Recorder("waiting")
    worker.submit(running.job)
    assert running.started.wait(5)
    worker.submit(waiting.job)
    with pytest.raises(QueueFull):
        worker.submit(Recorder("third").job)
    assert worker.withdraw(waiting.job) and worker.status().queue_depth == 0
    running.release.set()


def test_loading_waits_for_admitted_work_and_refuses_new_work_meanwhile():
    worker = loaded_worker()
    running = Recorder("running", blocking=True)
    worker.submit(running.job)
    assert running.started.wait(5)
    replacement = FakeEngine(languages=("de",))
    loader = threading.Thread(target=worker.load, args=("other spec", lambda: engine_set(replacement)))
    loader.start()
    assert worker.wait_until(lambda s: s.state == "loading", timeout=5)
    with pytest.raises(Loading, match="loading"):
        worker.submit(Recorder("refused").job)
    running.release.set()
    loader.join(5)
    assert worker.engine_info().languages == ["de"] and worker.status().state == "ready"


def test_a_new_spec_closes_every_engine_of_the_previous_set_and_info_follows_the_name():
    worker = InferenceWorker(4)
    espeak, piper = FakeEngine(name="espeak"), FakeEngine(name="piper", sample_rate=16000)
    first = worker.load("spec", lambda: engine_set(espeak, piper))
    assert worker.load("spec", lambda: engine_set(FakeEngine())) is first, "the same spec loads nothing"
    assert worker.engine_info().engine == "espeak" and worker.engine_info("piper").sample_rate == 16000
    worker.load("other spec", lambda: engine_set(FakeEngine(name="chatterbox")))
    assert espeak.closed and piper.closed
    assert worker.loaded_engines().names == ["chatterbox"]


def test_a_failed_load_keeps_the_previous_engine():
    worker = loaded_worker()

    def broken():
        raise NotLoaded("weights missing")

    with pytest.raises(NotLoaded):
        worker.load("broken spec", broken)
    assert worker.engine_info().engine_version == "fake 1.0"


def test_draining_past_the_grace_period_asks_the_running_job_to_stop():
    worker = loaded_worker()
    running, queued = Recorder("running", blocking=True), Recorder("queued")
    worker.submit(running.job)
    assert running.started.wait(5)
    worker.submit(queued.job)
    assert worker.drain(grace_seconds=0) is False
    assert running.job.cancel_event.is_set()
    assert isinstance(queued.errors[0], Draining)
    with pytest.raises(Draining, match="shutting down"):
        worker.submit(Recorder("late").job)
    running.release.set()


def test_queued_jobs_start_highest_priority_first_and_in_admission_order_within_one():
    worker = loaded_worker(capacity=8)
    blocker = Recorder("blocker", blocking=True)
    worker.submit(blocker.job)
    assert blocker.started.wait(5)
    started: list[str] = []
    queued = [
        Recorder(name, priority=name.rstrip("12"))
        for name in ("batch1", "standard1", "interactive1", "batch2", "interactive2", "standard2")
    ]
    for recorder in queued:
        recorder.started_order = started
        worker.submit(recorder.job)
    assert worker.status().queue_depth == 6
    blocker.release.set()
    assert all(recorder.finished.wait(5) for recorder in queued)
    assert started == ["interactive1", "interactive2", "standard1", "standard2", "batch1", "batch2"]


def test_batch_jobs_may_fill_only_half_the_queue():
    worker = loaded_worker(capacity=3)  # batch share: 2, half of 3 rounded up
    blocker = Recorder("blocker", blocking=True)
    worker.submit(blocker.job)
    assert blocker.started.wait(5)
    worker.submit(Recorder("batch1", priority="batch").job)
    worker.submit(Recorder("batch2", priority="batch").job)
    with pytest.raises(QueueFull, match="batch share"):
        worker.submit(Recorder("batch3", priority="batch").job)
    interactive = Recorder("interactive", priority="interactive")
    worker.submit(interactive.job)
    assert worker.status().queue_depth == 3
    with pytest.raises(QueueFull, match="queue is full"):
        worker.submit(Recorder("standard", priority="standard").job)
    blocker.release.set()
    assert interactive.finished.wait(5) and not interactive.errors


def test_a_queue_of_one_still_takes_one_batch_job():
    worker = loaded_worker(capacity=1)
    blocker = Recorder("blocker", blocking=True)
    worker.submit(blocker.job)
    assert blocker.started.wait(5)
    batch = Recorder("batch", priority="batch")
    worker.submit(batch.job)
    blocker.release.set()
    assert batch.finished.wait(5) and not batch.errors


def test_a_withdrawn_prioritized_job_never_starts_and_frees_its_place():
    worker = loaded_worker(capacity=2)  # batch share: 1
    blocker = Recorder("blocker", blocking=True)
    worker.submit(blocker.job)
    assert blocker.started.wait(5)
    interactive, batch = Recorder("interactive", priority="interactive"), Recorder("batch", priority="batch")
    worker.submit(interactive.job)
    worker.submit(batch.job)
    assert worker.withdraw(interactive.job) and worker.withdraw(batch.job)
    assert not worker.withdraw(batch.job), "a job is withdrawn once"
    assert worker.status().queue_depth == 0
    later = Recorder("later batch", priority="batch")
    worker.submit(later.job)  # the batch share is free again
    blocker.release.set()
    assert later.finished.wait(5) and not later.errors
    assert not interactive.started.is_set() and not batch.started.is_set()


def test_draining_aborts_queued_jobs_of_every_priority():
    worker = loaded_worker()
    blocker = Recorder("blocker", blocking=True)
    worker.submit(blocker.job)
    assert blocker.started.wait(5)
    queued = [Recorder(priority, priority=priority) for priority in ("batch", "interactive", "standard")]
    for recorder in queued:
        worker.submit(recorder.job)
    worker.begin_drain()
    assert all(isinstance(recorder.errors[0], Draining) for recorder in queued)
    assert worker.status().queue_depth == 0
    blocker.release.set()


def test_an_unknown_priority_is_a_bug_caught_when_the_job_is_made():
    with pytest.raises(ValueError, match="priority"):
        Recorder(priority="urgent")


def watchdogs() -> set[threading.Thread]:
    return {thread for thread in threading.enumerate() if thread.name.endswith("-queue-watchdog")}


def join_all(threads: set[threading.Thread]) -> None:
    for thread in threads:
        thread.join(5)
        assert not thread.is_alive(), f"{thread.name} is still running"


def held_worker(max_queue_wait: float) -> tuple[InferenceWorker, Recorder]:
    """A worker whose thread is busy with a job that runs until the test releases it."""
    worker = loaded_worker(max_queue_wait=max_queue_wait)
    blocker = Recorder("blocker", blocking=True)
    worker.submit(blocker.job)
    assert blocker.started.wait(5)
    return worker, blocker


def test_a_job_that_does_not_start_within_the_max_queue_wait_is_refused_while_the_worker_is_busy():
    worker, blocker = held_worker(max_queue_wait=0.2)
    queued = Recorder("queued")
    submitted = time.monotonic()
    worker.submit(queued.job)
    assert queued.finished.wait(5)
    waited = time.monotonic() - submitted
    assert isinstance(queued.errors[0], QueueFull) and not queued.started.is_set()
    assert str(queued.errors[0]) == "waited 0.2 s in the inference queue without starting; retry later"
    assert 0.2 <= waited < 2, f"refused after {waited:.2f} s"
    assert not blocker.finished.is_set(), "the running job is untouched"
    assert worker.status().queue_depth == 0
    assert not worker.withdraw(queued.job), "an expired job cannot be withdrawn (and aborted) again"
    blocker.release.set()
    assert blocker.finished.wait(5) and not blocker.errors


def test_a_job_that_starts_within_the_max_queue_wait_is_not_refused_later():
    worker, blocker = held_worker(max_queue_wait=0.3)
    queued = Recorder("queued", blocking=True)
    worker.submit(queued.job)
    blocker.release.set()
    assert queued.started.wait(5)
    assert not queued.finished.wait(0.6), "the job is still running past its start_by"
    assert not queued.errors
    queued.release.set()
    assert queued.finished.wait(5) and not queued.errors


def test_each_job_gets_the_max_queue_wait_from_its_own_admission():
    worker, blocker = held_worker(max_queue_wait=0.6)
    first = Recorder("first")
    worker.submit(first.job)
    assert not first.finished.wait(0.3)
    second = Recorder("second")
    worker.submit(second.job)
    assert first.finished.wait(5) and isinstance(first.errors[0], QueueFull)
    assert not second.finished.is_set(), "the later job's wait had not run out yet"
    assert second.finished.wait(5) and isinstance(second.errors[0], QueueFull)
    blocker.release.set()


def test_a_withdrawn_job_is_not_refused_and_the_watchdog_ends_with_the_queue():
    before = watchdogs()  # other tests' may still be ending
    worker, blocker = held_worker(max_queue_wait=0.2)
    queued = Recorder("queued")
    worker.submit(queued.job)
    ours = watchdogs() - before
    assert ours, "a queued job with a bounded wait has a watchdog"
    assert worker.withdraw(queued.job)
    join_all(ours)  # the watchdog ends with the queue
    assert not queued.finished.wait(0.4) and not queued.errors
    blocker.release.set()


def test_draining_ends_the_watchdog_and_aborts_with_draining_not_queue_full():
    before = watchdogs()
    worker, blocker = held_worker(max_queue_wait=0.2)
    queued = Recorder("queued")
    worker.submit(queued.job)
    ours = watchdogs() - before
    worker.begin_drain()
    join_all(ours)
    assert len(queued.errors) == 1 and isinstance(queued.errors[0], Draining), "aborted once, by the drain"
    blocker.release.set()


def test_a_max_queue_wait_of_zero_means_no_limit_and_no_watchdog():
    worker, blocker = held_worker(max_queue_wait=0)
    queued = Recorder("queued")
    before = watchdogs()
    worker.submit(queued.job)
    assert not (watchdogs() - before), "no watchdog starts"
    assert not queued.finished.wait(0.4)
    blocker.release.set()
    assert queued.finished.wait(5) and queued.started.is_set() and not queued.errors


class Segmented:
    """A job of two segments that gives way in between (as synthesis does), recording the order of events."""

    def __init__(self, name: str, priority: str, events: list[str]) -> None:
        self.name = name
        self.events = events
        self.first_done = threading.Event()
        self.go_on = threading.Event()
        self.finished = threading.Event()
        self.job = Job(
            name, run=self._run, abort=lambda error: self.events.append(f"{name} aborted"), priority=priority
        )

    def _run(self, engine, job) -> None:
        self.events.append(f"{self.name} segment 1")
        self.first_done.set()
        assert self.go_on.wait(10)
        job.yield_point()
        self.events.append(f"{self.name} segment 2")
        self.finished.set()


def test_a_running_batch_job_lets_waiting_interactive_and_standard_jobs_go_first_between_its_segments():
    worker = loaded_worker()
    events: list[str] = []
    batch = Segmented("batch", "batch", events)
    worker.submit(batch.job)
    assert batch.first_done.wait(5)
    later_batch = Recorder("later batch", priority="batch")
    standard = Recorder("standard", priority="standard")
    interactive = Recorder("interactive", priority="interactive")
    for recorder in (later_batch, standard, interactive):
        recorder.started_order = events
        worker.submit(recorder.job)
    batch.go_on.set()
    assert batch.finished.wait(5) and later_batch.finished.wait(5)
    # The other batch job waits its turn: giving way is only to higher priorities.
    assert events == ["batch segment 1", "interactive", "standard", "batch segment 2", "later batch"]
    assert worker.status().running_request_id in ("", "later batch")


def test_a_standard_job_gives_way_to_interactive_work_only():
    worker = loaded_worker()
    events: list[str] = []
    standard = Segmented("standard", "standard", events)
    worker.submit(standard.job)
    assert standard.first_done.wait(5)
    other = Recorder("other standard", priority="standard")
    interactive = Recorder("interactive", priority="interactive")
    for recorder in (other, interactive):
        recorder.started_order = events
        worker.submit(recorder.job)
    standard.go_on.set()
    assert other.finished.wait(5)
    assert events == ["standard segment 1", "interactive", "standard segment 2", "other standard"]


def test_the_job_that_went_first_shows_as_running_while_it_runs():
    worker = loaded_worker()
    batch = Segmented("batch", "batch", [])
    worker.submit(batch.job)
    assert batch.first_done.wait(5)
    interactive = Recorder("interactive", blocking=True, priority="interactive")
    worker.submit(interactive.job)
    batch.go_on.set()
    assert interactive.started.wait(5)
    assert worker.status().running_request_id == "interactive"
    interactive.release.set()
    assert batch.finished.wait(5)
    assert worker.wait_until(lambda status: status.running_request_id == "", timeout=5)
