"""Domain errors: every refusal the desk can give, each a stable code with its parameters
(core/refusals.py holds the English sentences); adapters word them by code."""

from __future__ import annotations

from core.refusals import REFUSALS, english


class DomainError(Exception):
    """A command the rules refuse. `code` ("ticket.not_found") and `params` are stable for
    adapters; `kind` is the family (404-like, 403-like...); str() is the English sentence."""

    kind = "domain_error"

    def __init__(self, code: str, /, **params: object) -> None:
        if code not in REFUSALS:
            raise KeyError(f"undefined refusal code {code!r} (add it to core/refusals.py)")
        self.code = code
        self.params = params
        self.message = english(code, params)
        super().__init__(self.message)


class NotFound(DomainError):
    kind = "not_found"


class TransitionRefused(DomainError):
    kind = "transition_refused"


class AlreadyTaken(DomainError):
    kind = "already_taken"


class NotAllowed(DomainError):
    """The actor may not do this (not their ticket, inactive employee, wrong role)."""

    kind = "not_allowed"


class InvalidInput(DomainError):
    kind = "invalid_input"


class ConcurrentUpdate(Exception):
    """Another transaction changed the ticket first; the service retries the command."""


class AlreadyHandled(Exception):
    """The platform delivered this update before and it was committed: acknowledge, skip."""
