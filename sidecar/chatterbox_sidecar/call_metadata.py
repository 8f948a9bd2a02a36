"""What a caller sends beside the request message: the gRPC metadata the sidecar reads.

`x-request-id` (optional, any RPC) names the request in the sidecar's log lines and in GetStatus;
`traceparent` (optional, any RPC; W3C Trace Context, version 00) puts its trace id in the call's log lines;
`x-priority` (optional, the RPCs that queue work) places the call's job in the worker's queue (worker.py);
`authorization: Bearer <admin token>` unlocks the admin RPCs (see admin.py).
"""

from __future__ import annotations

import re

import grpc

REQUEST_ID_KEY = "x-request-id"
TRACEPARENT_KEY = "traceparent"
AUTHORIZATION_KEY = "authorization"
PRIORITY_KEY = "x-priority"
INTERACTIVE, STANDARD, BATCH = "interactive", "standard", "batch"
PRIORITIES = (INTERACTIVE, STANDARD, BATCH)  # highest first: the order a worker serves its queue in
BEARER_SCHEME = "bearer"  # compared case-insensitively, as HTTP does
# version-trace_id-parent_id-flags, lower-case hex only (https://www.w3.org/TR/trace-context/#traceparent-header).
_TRACEPARENT = re.compile(r"00-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}")


def value(context: grpc.ServicerContext, key: str) -> str | None:
    """The first value of metadata `key` (keys arrive lower-cased), None when the caller did not send it."""
    for entry in context.invocation_metadata() or ():
        if entry.key == key:
            return entry.value if isinstance(entry.value, str) else None
    return None


def request_id(context: grpc.ServicerContext) -> str:
    """The caller's `x-request-id`, "" when none was sent."""
    return (value(context, REQUEST_ID_KEY) or "").strip()


def trace_id(context: grpc.ServicerContext) -> str:
    """The trace id of the caller's `traceparent`, "" when none was sent or it is malformed (then ignored, as
    the spec asks, rather than refused: tracing must never fail a call). All-zero ids are invalid per spec."""
    match = _TRACEPARENT.fullmatch((value(context, TRACEPARENT_KEY) or "").strip())
    if match is None or int(match[1], 16) == 0 or int(match[2], 16) == 0:
        return ""
    return match[1]


def priority(context: grpc.ServicerContext) -> str:
    """The caller's `x-priority`, STANDARD when none (or an empty one) was sent. Not checked against
    PRIORITIES: rpc_jobs refuses other values, since only calls that queue work care."""
    return (value(context, PRIORITY_KEY) or "").strip() or STANDARD


def log_ids(context: grpc.ServicerContext) -> dict[str, str]:
    """The fields naming a call in its log lines: `request_id`, and `trace_id` when the caller sent one."""
    return ids_for_log(request_id(context), trace_id(context))


def ids_for_log(request_id: str, trace_id: str) -> dict[str, str]:
    """`log_ids` for a call already read (a queued job keeps only the ids, not the gRPC context)."""
    return {"request_id": request_id, "trace_id": trace_id} if trace_id else {"request_id": request_id}


def bearer_token(context: grpc.ServicerContext) -> str | None:
    """The token of an `authorization: Bearer <token>` entry, None when there is no such entry."""
    scheme, _, token = (value(context, AUTHORIZATION_KEY) or "").strip().partition(" ")
    if scheme.lower() != BEARER_SCHEME or not token.strip():
        return None
    return token.strip()
