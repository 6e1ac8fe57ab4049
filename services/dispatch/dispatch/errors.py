"""Domain errors of dispatch: what decide functions raise. No HTTP here.

`dispatch.edge` is the one place that turns them into HTTP answers.
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

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}", {field: message})
        self.field = field


class WrongStatus(DomainError):
    """The action does not fit the issue's current status."""

    code = "wrong_status"

    def __init__(self, current: str, action: str):
        super().__init__(f"cannot {action} an issue in status {current}",
                         {"status": current})
        self.current, self.action = current, action


class Conflict(DomainError):
    """The request conflicts with other data (e.g. a building another grid holds)."""

    def __init__(self, code: str, message: str, fields: dict[str, str] | None = None):
        super().__init__(message, fields)
        self.code = code
