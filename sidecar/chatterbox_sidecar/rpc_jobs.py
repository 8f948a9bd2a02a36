"""An RPC's work run as a job on a serial worker, its results handed back to the RPC thread by a Channel.

Admission happens here, before the RPC sends anything, so a full queue (or an `x-priority` that is not
one of call_metadata.PRIORITIES) is a clean error with no partial stream. When the RPC ends for any reason
(the caller cancelled, the deadline passed, the response was sent), the job is withdrawn if it has not
started and asked to stop if it has.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import grpc

from . import call_metadata
from .channel import Channel
from .errors import Cancelled, DeadlineExceeded, InvalidInput
from .worker import Job, SerialWorker

Work = Callable[[Any, Job, Channel], None]  # (the worker's resource, the job, where to put results)


def submit(worker: SerialWorker, context: grpc.ServicerContext, work: Work) -> Channel:
    """Queues `work` on `worker` (raising its refusals) and returns the channel its results arrive on."""
    priority = call_metadata.priority(context)
    if priority not in call_metadata.PRIORITIES:
        raise InvalidInput(
            f"{call_metadata.PRIORITY_KEY} must be one of {', '.join(call_metadata.PRIORITIES)}, got {priority!r}",
            field=call_metadata.PRIORITY_KEY,
        )
    remaining = context.time_remaining()
    if remaining is not None and remaining <= 0:
        raise DeadlineExceeded("the deadline passed before the request could be queued")
    channel = Channel(capacity=4)
    job = Job(
        call_metadata.request_id(context),
        run=lambda resource, job: work(resource, job, channel),
        abort=channel.fail,
        deadline=time.monotonic() + remaining if remaining is not None else None,
        trace_id=call_metadata.trace_id(context),
        priority=priority,
    )
    worker.submit(job)

    def on_rpc_done() -> None:
        # Runs when the RPC ends for any reason; after a normal end it finds nothing left to stop.
        job.cancel_event.set()
        worker.withdraw(job)
        channel.cancel(Cancelled("the caller cancelled the request"))

    if not context.add_callback(on_rpc_done):
        on_rpc_done()
    return channel
