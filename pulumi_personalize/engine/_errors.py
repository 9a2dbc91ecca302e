"""The errors the engine adds to the ladder of ``pulumi_personalize.errors``."""

from __future__ import annotations

from ..errors import PersonalizeError, redact


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


class PartialCreateError(PersonalizeError):
    """A create whose first call succeeded and a follow-up failed. ``created_id`` is the object
    left behind (``None`` when it was undone); the message says which it is."""

    def __init__(self, message: str, *, created_id: str | None, cause: PersonalizeError | None = None) -> None:
        super().__init__(
            message,
            status=cause.status if cause else None,
            method=cause.method if cause else None,
            path=cause.path if cause else None,
            request_id=cause.request_id if cause else None,
        )
        self.created_id = created_id
