"""What a caller sends beside the request message: the gRPC metadata the sidecar reads.

`x-request-id` (optional, any RPC) names the request in the sidecar's log lines and in GetStatus;
`authorization: Bearer <admin token>` unlocks the admin RPCs (see admin.py).
"""

from __future__ import annotations

import grpc

REQUEST_ID_KEY = "x-request-id"
AUTHORIZATION_KEY = "authorization"
BEARER_SCHEME = "bearer"  # compared case-insensitively, as HTTP does


def value(context: grpc.ServicerContext, key: str) -> str | None:
    """The first value of metadata `key` (keys arrive lower-cased), None when the caller did not send it."""
    for entry in context.invocation_metadata() or ():
        if entry.key == key:
            return entry.value if isinstance(entry.value, str) else None
    return None


def request_id(context: grpc.ServicerContext) -> str:
    """The caller's `x-request-id`, "" when none was sent."""
    return (value(context, REQUEST_ID_KEY) or "").strip()


def bearer_token(context: grpc.ServicerContext) -> str | None:
    """The token of an `authorization: Bearer <token>` entry, None when there is no such entry."""
    scheme, _, token = (value(context, AUTHORIZATION_KEY) or "").strip().partition(" ")
    if scheme.lower() != BEARER_SCHEME or not token.strip():
        return None
    return token.strip()
