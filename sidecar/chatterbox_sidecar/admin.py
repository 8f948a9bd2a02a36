"""The admin token that guards the admin RPCs (LoadModel).

Loading an engine swaps it under every user of the sidecar, so only its supervisor may do it: the
supervisor starts the sidecar with a random token in CHATTERBOX_SIDECAR_ADMIN_TOKEN and sends it back as
`authorization: Bearer <token>` metadata. A sidecar run by hand without the variable leaves the admin
RPCs open and says so in its log.
"""

from __future__ import annotations

import hmac
from collections.abc import MutableMapping

import grpc

from . import call_metadata
from .errors import PermissionDenied

ADMIN_TOKEN_ENV = "CHATTERBOX_SIDECAR_ADMIN_TOKEN"
MISSING_TOKEN_MESSAGE = (
    "LoadModel is an admin RPC: send the admin token (authorization: Bearer <token>); "
    "direct clients must not swap the engine"
)
WRONG_TOKEN_MESSAGE = (
    "LoadModel is an admin RPC and the admin token sent (authorization: Bearer <token>) is not this "
    "sidecar's; direct clients must not swap the engine"
)


def take_admin_token(environ: MutableMapping[str, str]) -> str | None:
    """The admin token, removed from `environ` so that no subprocess (espeak-ng, ffmpeg, sox) inherits it.

    An empty value counts as no token.
    """
    return environ.pop(ADMIN_TOKEN_ENV, "") or None


def require_admin(context: grpc.ServicerContext, admin_token: str | None) -> None:
    """Raises PermissionDenied unless the call carries `admin_token`; no token configured = open."""
    if admin_token is None:
        return
    sent = call_metadata.bearer_token(context)
    if sent is None:
        raise PermissionDenied(MISSING_TOKEN_MESSAGE)
    # Constant-time, so response timing does not reveal how much of a guess was right.
    if not hmac.compare_digest(sent.encode("utf-8"), admin_token.encode("utf-8")):
        raise PermissionDenied(WRONG_TOKEN_MESSAGE)
