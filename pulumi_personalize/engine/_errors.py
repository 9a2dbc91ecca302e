"""The errors the engine adds to the ladder of ``pulumi_personalize.errors`` (``PartialCreateError``,
which the api layers raise, lives below them in ``pulumi_personalize._api``)."""

from __future__ import annotations

from .._api import PartialCreateError
from ..errors import PersonalizeError, redact

__all__ = ["PartialCreateError", "ResourceOperationError"]


class ResourceOperationError(PersonalizeError):
    """A provider operation failed; the message names the resource and the operation.

    ``cause`` is the underlying error (an ``ApiError`` keeps its status, path and request id here).
    """

    def __init__(self, resource: str, operation: str, cause: BaseException | str) -> None:
        detail = str(cause) if isinstance(cause, PersonalizeError) else redact(str(cause))
        if not isinstance(cause, str | PersonalizeError):
            detail = f"{type(cause).__name__}: {detail}"
        super().__init__(
            f"{operation} {resource} failed: {detail}",
            status=getattr(cause, "status", None),
            method=getattr(cause, "method", None),
            path=getattr(cause, "path", None),
            request_id=getattr(cause, "request_id", None),
            service_message=getattr(cause, "service_message", None),
        )
        self.resource = resource
        self.operation = operation
        self.cause = cause if isinstance(cause, BaseException) else None


# The public path, which is also the one a failed operation's message starts with.
ResourceOperationError.__module__ = "pulumi_personalize.engine"
