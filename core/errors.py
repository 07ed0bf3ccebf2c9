"""Domain errors: every refusal the desk can give, each with a message a person can read."""


class DomainError(Exception):
    """A command the rules refuse. `code` is stable for adapters; str() is for people."""

    code = "domain_error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(DomainError):
    code = "not_found"


class TransitionRefused(DomainError):
    code = "transition_refused"


class AlreadyTaken(DomainError):
    code = "already_taken"


class NotAllowed(DomainError):
    """The actor may not do this (not their ticket, inactive employee, wrong role)."""

    code = "not_allowed"


class InvalidInput(DomainError):
    code = "invalid_input"


class ConcurrentUpdate(Exception):
    """Another transaction changed the ticket first; the service retries the command."""


class AlreadyHandled(Exception):
    """The platform delivered this update before and it was committed: acknowledge, skip."""
