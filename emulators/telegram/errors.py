"""Error values of the Telegram emulator.

:class:`ApiError` is what a Bot API method raises to produce a Telegram-shaped failure
(``{"ok": false, "error_code": ..., "description": ...}``); the helpers build the texts
Telegram itself uses.  :class:`ControlError` is raised by the control API (tests driving
the emulator) when asked for something impossible, such as a message that does not exist.
"""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """A Bot API failure with the HTTP status Telegram would answer with."""

    def __init__(
        self, status: int, description: str, parameters: dict[str, Any] | None = None
    ) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters

    def to_body(self) -> dict[str, Any]:
        """The JSON body Telegram sends for this error."""
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.status,
            "description": self.description,
        }
        if self.parameters:
            body["parameters"] = self.parameters
        return body


class ControlError(ValueError):
    """A control-API request the emulator cannot satisfy (unknown chat, message, ...)."""


def bad_request(text: str) -> ApiError:
    """``400 Bad Request: <text>``."""
    return ApiError(400, f"Bad Request: {text}")


def not_found() -> ApiError:
    """``404 Not Found`` (unknown method or file)."""
    return ApiError(404, "Not Found")


def unauthorized() -> ApiError:
    """``401 Unauthorized`` (token of another bot)."""
    return ApiError(401, "Unauthorized")


def forbidden(text: str) -> ApiError:
    """``403 Forbidden: <text>``."""
    return ApiError(403, f"Forbidden: {text}")


def conflict(text: str) -> ApiError:
    """``409 Conflict: <text>``."""
    return ApiError(409, f"Conflict: {text}")


def too_many_requests(retry_after: int) -> ApiError:
    """``429 Too Many Requests`` with ``parameters.retry_after``."""
    return ApiError(
        429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after}
    )


def entity_too_large() -> ApiError:
    """``413 Request Entity Too Large`` (upload over the bot limit)."""
    return ApiError(413, "Request Entity Too Large")


CHAT_NOT_FOUND = "chat not found"
THREAD_NOT_FOUND = "message thread not found"
MESSAGE_TO_EDIT_NOT_FOUND = "message to edit not found"
MESSAGE_NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)
QUERY_INVALID = "query is too old and response timeout expired or query ID is invalid"
