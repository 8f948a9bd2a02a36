"""Domain exceptions and the one gRPC interceptor that turns them into status codes.

Code below the servicer raises these classes and never touches gRPC status codes; the interceptor maps
them with the STATUS_BY_ERROR table (design.md §4). Anything not in the table is a bug or an engine
failure: the caller gets INTERNAL with a generic message and the traceback goes to the log.
"""

from __future__ import annotations

import logging
import sys
from typing import Any, Callable, Iterator

import grpc

log = logging.getLogger("chatterbox_sidecar.rpc")

GENERIC_INTERNAL_MESSAGE = "inference failed; see sidecar log"


class SidecarError(Exception):
    """Base of the errors whose message is safe to show to the caller."""


class InvalidInput(SidecarError):
    """The request can never succeed as sent (bad text, parameter out of range, undecodable audio)."""


class NotFound(SidecarError):
    """A file or other named thing the request refers to does not exist."""


class Unavailable(SidecarError):
    """Transient: the engine is loading or the sidecar is draining for shutdown. Retry later."""


class NotLoaded(SidecarError):
    """No engine is loaded, or the engine failed to load. Retrying will not help until LoadModel succeeds."""


class WrongKind(SidecarError):
    """The loaded engine cannot do what was asked (e.g. voice conversion on an engine without it)."""


class QueueFull(SidecarError):
    """Admission control: the inference queue is at capacity."""


class OutOfMemory(SidecarError):
    """The device ran out of memory for this request."""


class DeadlineExceeded(SidecarError):
    """The request's deadline passed before its work could start."""


class Cancelled(SidecarError):
    """The caller cancelled the request (or went away)."""


# Ordered: the first entry whose class matches wins.
STATUS_BY_ERROR: tuple[tuple[type[BaseException], grpc.StatusCode], ...] = (
    (InvalidInput, grpc.StatusCode.INVALID_ARGUMENT),
    (NotFound, grpc.StatusCode.NOT_FOUND),
    (Unavailable, grpc.StatusCode.UNAVAILABLE),
    (NotLoaded, grpc.StatusCode.FAILED_PRECONDITION),
    (WrongKind, grpc.StatusCode.FAILED_PRECONDITION),
    (QueueFull, grpc.StatusCode.RESOURCE_EXHAUSTED),
    (OutOfMemory, grpc.StatusCode.RESOURCE_EXHAUSTED),
    (MemoryError, grpc.StatusCode.RESOURCE_EXHAUSTED),
    (DeadlineExceeded, grpc.StatusCode.DEADLINE_EXCEEDED),
    (Cancelled, grpc.StatusCode.CANCELLED),
)


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


def status_for(error: BaseException) -> tuple[grpc.StatusCode, str]:
    """The status code and caller-visible message for an exception raised while serving an RPC."""
    for error_class, code in STATUS_BY_ERROR:
        if isinstance(error, error_class):
            return code, _message(error, default=code.name.lower().replace("_", " "))
    if isinstance(error, _torch_out_of_memory_classes()):
        return grpc.StatusCode.RESOURCE_EXHAUSTED, "out of device memory; retry later or with shorter input"
    return grpc.StatusCode.INTERNAL, GENERIC_INTERNAL_MESSAGE


def _message(error: BaseException, default: str) -> str:
    text = str(error)
    return text if text else default


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
            _abort(context, error, method, request)

    return unary


def _wrap_stream(behaviour: Callable, method: str) -> Callable:
    def stream(request: Any, context: grpc.ServicerContext) -> Iterator[Any]:
        try:
            yield from behaviour(request, context)
        except Exception as error:  # noqa: BLE001 - errors raised mid-stream end the stream with a status
            _abort(context, error, method, request)

    return stream


def _abort(context: grpc.ServicerContext, error: Exception, method: str, request: Any) -> None:
    if _already_aborted(context):
        raise error
    code, message = status_for(error)
    fields = {"method": method, "code": code.name, "request_id": _request_id(request)}
    if code is grpc.StatusCode.INTERNAL:
        log.error("rpc failed", exc_info=error, extra=fields)
    else:
        log.info("rpc refused", extra={**fields, "reason": message})
    context.abort(code, message)


def _request_id(request: Any) -> str:
    # Synthesis requests carry it in `input`, conversion requests at the top level.
    holder = getattr(request, "input", request)
    return str(getattr(holder, "request_id", "") or "")


def _already_aborted(context: grpc.ServicerContext) -> bool:
    # context.abort() raises a bare Exception after setting the code; let that one through untouched.
    code = getattr(context, "code", None)
    return callable(code) and code() not in (None, grpc.StatusCode.OK)
