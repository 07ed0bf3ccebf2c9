"""VK API errors as the emulator answers them: `{"error": {"error_code", "error_msg",
"request_params"}}` with HTTP 200, the way VK does."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

UNKNOWN = 1
UNKNOWN_METHOD = 3
AUTH = 5
TOO_MANY_RPS = 6
FLOOD = 9
SERVER = 10
ACCESS_DENIED = 15
RATE_LIMIT = 29
PARAM = 100
BLACKLISTED = 900
NO_PERMISSION = 901
EDIT_EXPIRED = 909
KEYBOARD = 911
TOO_LONG = 914

MESSAGES = {
    UNKNOWN: "Unknown error occurred",
    UNKNOWN_METHOD: "Unknown method passed",
    AUTH: "User authorization failed: invalid access_token (4).",
    TOO_MANY_RPS: "Too many requests per second",
    FLOOD: "Flood control",
    SERVER: "Internal server error",
    ACCESS_DENIED: "Access denied",
    RATE_LIMIT: "Rate limit reached",
    PARAM: "One of the parameters specified was missing or invalid",
    BLACKLISTED: "Can't send messages for users from blacklist",
    NO_PERMISSION: "Can't send messages for users without permission",
    EDIT_EXPIRED: "Can't edit this message, because it's too old",
    KEYBOARD: "Keyboard format is invalid",
    TOO_LONG: "Message is too long",
}


class VkError(Exception):
    def __init__(self, code: int, detail: str | None = None) -> None:
        base = MESSAGES.get(code, f"Error {code}")
        self.code = code
        self.message = f"{base}: {detail}" if detail else base
        super().__init__(self.message)

    def to_body(self, method: str, params: Mapping[str, Any]) -> dict[str, Any]:
        shown = [{"key": "method", "value": method}, {"key": "oauth", "value": "1"}]
        shown += [{"key": k, "value": str(v)} for k, v in params.items()
                  if k not in ("access_token", "method")]
        return {"error": {"error_code": self.code, "error_msg": self.message,
                          "request_params": shown}}


def param_error(detail: str) -> VkError:
    return VkError(PARAM, detail)
