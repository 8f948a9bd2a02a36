"""Domain exceptions and the one gRPC interceptor that turns them into status codes.

Code below the servicer raises these classes and never touches gRPC status codes; the interceptor maps
them with the STATUS_BY_ERROR table (design.md §4). Every status it produces also carries a
google.rpc.Status whose details hold one google.rpc.ErrorInfo (domain "chatterbox.v1", a stable reason,
metadata such as the offending `field`), so clients branch on the reason instead of parsing messages.
Anything not in the table is a bug, an engine failure or a broken installation: the caller gets INTERNAL
with a generic message and the traceback goes to the log.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import grpc
from google.protobuf import any_pb2
from google.rpc import error_details_pb2, status_pb2
from grpc_status import rpc_status

from . import call_metadata

log = logging.getLogger("chatterbox_sidecar.rpc")

ERROR_DOMAIN = "chatterbox.v1"
GENERIC_INTERNAL_MESSAGE = "inference failed; see sidecar log"


class Reason:
    """The ErrorInfo reasons. Clients branch on them: add new ones, never rename or reuse one."""

    INVALID_INPUT = "INVALID_INPUT"
    SEGMENT_TOO_LONG = "SEGMENT_TOO_LONG"
    SEGMENT_BLANK = "SEGMENT_BLANK"
    NO_SEGMENTS = "NO_SEGMENTS"
    UNSUPPORTED_LANGUAGE = "UNSUPPORTED_LANGUAGE"
    ENGINE_NOT_LOADED = "ENGINE_NOT_LOADED"
    UNDECODABLE_AUDIO = "UNDECODABLE_AUDIO"
    PATH_NOT_ALLOWED = "PATH_NOT_ALLOWED"
    NOT_FOUND = "NOT_FOUND"
    LOADING = "LOADING"
    DRAINING = "DRAINING"
    NOT_LOADED = "NOT_LOADED"
    WRONG_KIND = "WRONG_KIND"
    QUEUE_FULL = "QUEUE_FULL"
    OUT_OF_MEMORY = "OUT_OF_MEMORY"
    RESPONSE_TOO_LARGE = "RESPONSE_TOO_LARGE"
    ADMIN_TOKEN_REQUIRED = "ADMIN_TOKEN_REQUIRED"
    DEADLINE_EXCEEDED = "DEADLINE_EXCEEDED"
    CANCELLED = "CANCELLED"
    INTERNAL = "INTERNAL"


class SidecarError(Exception):
    """Base of the errors whose message is safe to show to the caller.

    Each class names its reason; an instance may narrow it (an InvalidInput may be SEGMENT_TOO_LONG) and
    add metadata such as the offending `field` or a `limit`.
    """

    reason = Reason.INTERNAL  # every class in STATUS_BY_ERROR names its own

    def __init__(self, message: str = "", *, reason: str | None = None, **metadata: object) -> None:
        super().__init__(message)
        if reason is not None:
            self.reason = reason
        self.metadata = {key: str(value) for key, value in metadata.items()}


class InvalidInput(SidecarError):
    """The request can never succeed as sent (bad text, parameter out of range, undecodable audio)."""

    reason = Reason.INVALID_INPUT


class NotFound(SidecarError):
    """A file or other named thing the request refers to does not exist."""

    reason = Reason.NOT_FOUND


class Loading(SidecarError):
    """Transient: a model is loading. Retry shortly."""

    reason = Reason.LOADING


class Draining(SidecarError):
    """The sidecar is shutting down; a restarted one will take the work."""

    reason = Reason.DRAINING


class NotLoaded(SidecarError):
    """No engine is loaded, or the engine failed to load. Retrying will not help until LoadModel succeeds."""

    reason = Reason.NOT_LOADED


class WrongKind(SidecarError):
    """The loaded engine cannot do what was asked (e.g. voice conversion on an engine without it)."""

    reason = Reason.WRONG_KIND


class QueueFull(SidecarError):
    """Admission control: a worker's queue is at capacity, or a queued job did not start within the
    --max-queue-wait-seconds bound."""

    reason = Reason.QUEUE_FULL


class OutOfMemory(SidecarError):
    """The machine or the device ran out of memory for this request."""

    reason = Reason.OUT_OF_MEMORY


class TooLarge(SidecarError):
    """The result cannot fit in one response message; retrying the same request will not help."""

    reason = Reason.RESPONSE_TOO_LARGE


class PermissionDenied(SidecarError):
    """An admin RPC without the admin token the sidecar was started with."""

    reason = Reason.ADMIN_TOKEN_REQUIRED


class DeadlineExceeded(SidecarError):
    """The request's deadline passed before its work could start."""

    reason = Reason.DEADLINE_EXCEEDED


class Cancelled(SidecarError):
    """The caller cancelled the request (or went away)."""

    reason = Reason.CANCELLED


class ServerFault(RuntimeError):
    """The sidecar's machine lacks something it needs (e.g. a program). Not the caller's fault, so it is
    not a SidecarError: it maps to INTERNAL and its message goes to the log only."""


# Ordered: the first entry whose class matches wins.
STATUS_BY_ERROR: tuple[tuple[type[SidecarError], grpc.StatusCode], ...] = (
    (InvalidInput, grpc.StatusCode.INVALID_ARGUMENT),
    (NotFound, grpc.StatusCode.NOT_FOUND),
    (Loading, grpc.StatusCode.UNAVAILABLE),
    (Draining, grpc.StatusCode.UNAVAILABLE),
    (NotLoaded, grpc.StatusCode.FAILED_PRECONDITION),
    (WrongKind, grpc.StatusCode.FAILED_PRECONDITION),
    (QueueFull, grpc.StatusCode.RESOURCE_EXHAUSTED),
    (OutOfMemory, grpc.StatusCode.RESOURCE_EXHAUSTED),
    (TooLarge, grpc.StatusCode.OUT_OF_RANGE),
    (PermissionDenied, grpc.StatusCode.PERMISSION_DENIED),
    (DeadlineExceeded, grpc.StatusCode.DEADLINE_EXCEEDED),
    (Cancelled, grpc.StatusCode.CANCELLED),
)


@dataclass(frozen=True)
class RpcFailure:
    """What the caller receives for an exception."""

    code: grpc.StatusCode
    message: str
    reason: str
    metadata: dict[str, str] = field(default_factory=dict)

    def to_grpc_status(self) -> grpc.Status:
        """The status with its google.rpc.Status details (the `grpc-status-details-bin` trailer)."""
        info = error_details_pb2.ErrorInfo(reason=self.reason, domain=ERROR_DOMAIN, metadata=self.metadata)
        detail = any_pb2.Any()
        detail.Pack(info)
        status = status_pb2.Status(code=self.code.value[0], message=self.message, details=[detail])
        return rpc_status.to_status(status)


def status_for(error: BaseException) -> RpcFailure:
    """The status, caller-visible message and ErrorInfo for an exception raised while serving an RPC."""
    error = _as_out_of_memory(error)
    for error_class, code in STATUS_BY_ERROR:
        if isinstance(error, error_class):
            message = str(error) or code.name.lower().replace("_", " ")
            return RpcFailure(code, message, error.reason, error.metadata)
    return RpcFailure(grpc.StatusCode.INTERNAL, GENERIC_INTERNAL_MESSAGE, Reason.INTERNAL)


def _as_out_of_memory(error: BaseException) -> BaseException:
    # Out-of-memory errors raised by Python or torch are the caller's to retry, not engine bugs.
    if isinstance(error, MemoryError):
        return OutOfMemory("the sidecar ran out of memory; retry later or with shorter input")
    if isinstance(error, _torch_out_of_memory_classes()):
        return OutOfMemory("out of device memory; retry later or with shorter input")
    return error


def _torch_out_of_memory_classes() -> tuple[type[BaseException], ...]:
    # Only look at torch when an engine already imported it: importing torch here would cost seconds.
    torch = sys.modules.get("torch")
    if torch is None:
        return ()
    classes = [
        getattr(torch, "OutOfMemoryError", None),
        getattr(getattr(torch, "cuda", None), "OutOfMemoryError", None),
    ]
    return tuple(c for c in classes if isinstance(c, type))


class ErrorInterceptor(grpc.ServerInterceptor):
    """Wraps every unary and server-streaming handler so raised exceptions become proper statuses."""

    def intercept_service(self, continuation, handler_call_details):
        handler = continuation(handler_call_details)
        if handler is None:
            return None
        method = handler_call_details.method
        if handler.unary_unary is not None:
            return handler._replace(unary_unary=_wrap_unary(handler.unary_unary, method))
        if handler.unary_stream is not None:
            return handler._replace(unary_stream=_wrap_stream(handler.unary_stream, method))
        return handler


def _wrap_unary(behaviour: Callable, method: str) -> Callable:
    def unary(request: Any, context: grpc.ServicerContext) -> Any:
        try:
            return behaviour(request, context)
        except Exception as error:  # noqa: BLE001 - this is the one place that maps every error
            _abort(context, error, method)

    return unary


def _wrap_stream(behaviour: Callable, method: str) -> Callable:
    def stream(request: Any, context: grpc.ServicerContext) -> Iterator[Any]:
        try:
            yield from behaviour(request, context)
        except Exception as error:  # noqa: BLE001 - errors raised mid-stream end the stream with a status
            _abort(context, error, method)

    return stream


def _abort(context: grpc.ServicerContext, error: Exception, method: str) -> None:
    if _already_aborted(context):
        raise error
    failure = status_for(error)
    fields = {
        "method": method,
        "code": failure.code.name,
        "reason": failure.reason,
        **call_metadata.log_ids(context),
    }
    if failure.code is grpc.StatusCode.INTERNAL:
        log.error("rpc failed", exc_info=error, extra=fields)
    else:
        log.info("rpc refused", extra={**fields, "detail": failure.message})
    context.abort_with_status(failure.to_grpc_status())


def _already_aborted(context: grpc.ServicerContext) -> bool:
    # context.abort() raises a bare Exception after setting the code; let that one through untouched.
    code = getattr(context, "code", None)
    return callable(code) and code() not in (None, grpc.StatusCode.OK)
