"""The inference worker on its own: admission, deadlines, cancellation, loading and draining."""

from __future__ import annotations

import threading
import time

import pytest

from chatterbox_sidecar.errors import Cancelled, DeadlineExceeded, Draining, Loading, NotLoaded, QueueFull
from chatterbox_sidecar.worker import InferenceWorker, Job

from fakes import FakeEngine, engine_set


class Recorder:
    """A job whose run waits on `release` and whose abort records the error."""

    def __init__(self, request_id: str = "job", blocking: bool = False) -> None:
        self.release = threading.Event()
        self.started = threading.Event()
        self.finished = threading.Event()
        self.errors: list[BaseException] = []
        self.blocking = blocking
        self.job = Job(request_id, run=self._run, abort=self._abort)

    def _run(self, engine, job) -> None:
        self.started.set()
        if self.blocking:
            assert self.release.wait(10)
        self.finished.set()

    def _abort(self, error: BaseException) -> None:
        self.errors.append(error)
        self.finished.set()


def loaded_worker(capacity: int = 4) -> InferenceWorker:
    worker = InferenceWorker(capacity)
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
