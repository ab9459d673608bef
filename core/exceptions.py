"""Errors raised by services; every interface maps them to its own answer.

Pages show the message; the API answers 409 for `TransitionNotAllowedError` and
403 for `ActionNotPermittedError`; field problems are Django `ValidationError`s (400).
"""


class ServiceError(Exception):
    """A business rule refused the request; `message` is safe to show to the user."""

    def __init__(self, message: str, *, code: str = "service_error"):
        super().__init__(message)
        self.message = message
        self.code = code


class TransitionNotAllowedError(ServiceError):
    """The object's current state does not allow this change (e.g. approving a won deal)."""

    def __init__(self, message: str, *, code: str = "transition_not_allowed"):
        super().__init__(message, code=code)


class ActionNotPermittedError(ServiceError):
    """The actor may see the object but may not make this change."""

    def __init__(self, message: str, *, code: str = "not_permitted"):
        super().__init__(message, code=code)
