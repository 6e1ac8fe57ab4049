"""Domain errors: what the services' pure decide functions raise. No HTTP here.

`redgrid_shared.edge` is the one place that turns them into HTTP answers, the same way in
every service, so a refused action is answered alike wherever it was refused.
"""


class DomainError(Exception):
    """A command the domain refuses; `fields` names the request fields at fault."""

    code = "refused"

    def __init__(self, message: str, fields: dict[str, str] | None = None):
        super().__init__(message)
        self.message, self.fields = message, fields or {}


class NotFound(DomainError):
    """No such thing, or not one the caller may see (the two look the same)."""

    code = "not_found"


class NotAllowed(DomainError):
    """The caller's role or relation to the issue does not permit the action."""

    code = "forbidden"


class Invalid(DomainError):
    """A request field breaks a domain rule (e.g. a resolve of paid work without an amount)."""

    code = "invalid_request"

    def __init__(self, field: str, message: str, **more: str):
        fields = {field: message, **more}
        super().__init__(f"{field}: {message}" if not more
                         else f"invalid fields: {', '.join(fields)}", fields)
        self.field = field

    @classmethod
    def each(cls, problems: dict[str, str]) -> "Invalid":
        """One error naming every field at fault (at least one)."""
        (field, message), *rest = problems.items()
        return cls(field, message, **dict(rest))


class TooLarge(DomainError):
    """An upload is over a size or pixel limit."""

    code = "payload_too_large"


class Unsupported(DomainError):
    """An upload is not of a kind this API takes (e.g. not a JPEG, PNG or WebP image)."""

    code = "unsupported_media_type"


class WrongStatus(DomainError):
    """The action does not fit the issue's current status."""

    code = "wrong_status"

    def __init__(self, current: str, action: str, detail: str = ""):
        super().__init__(f"cannot {action} an issue in status {current}{detail}",
                         {"status": current})
        self.current, self.action = current, action


class Conflict(DomainError):
    """The request conflicts with other data or state (e.g. a building another grid holds, a
    second rating)."""

    def __init__(self, code: str, message: str, fields: dict[str, str] | None = None):
        super().__init__(message, fields)
        self.code = code
