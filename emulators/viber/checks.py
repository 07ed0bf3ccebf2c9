"""What Viber checks in a message the bot sends: its type and required fields, the text
limit (7,000 characters), keyboards, tracking data and the 30 KB request size. A failed
check is a `ViberStatus` (Viber answers HTTP 200 with a non-zero `status`)."""

from __future__ import annotations

from typing import Any

OK = 0
INVALID_URL = 1
INVALID_AUTH_TOKEN = 2
BAD_DATA = 3
MISSING_DATA = 4
RECEIVER_NOT_REGISTERED = 5
RECEIVER_NOT_SUBSCRIBED = 6
TOO_MANY_REQUESTS = 12

STATUS_MESSAGES = {
    OK: "ok",
    INVALID_URL: "invalidUrl",
    INVALID_AUTH_TOKEN: "invalidAuthToken",
    BAD_DATA: "badData",
    MISSING_DATA: "missingData",
    RECEIVER_NOT_REGISTERED: "receiverNotRegistered",
    RECEIVER_NOT_SUBSCRIBED: "receiverNotSubscribed",
    7: "publicAccountBlocked",
    8: "publicAccountNotFound",
    9: "publicAccountSuspended",
    10: "webhookNotSet",
    11: "receiverNoSuitableDevice",
    TOO_MANY_REQUESTS: "tooManyRequests",
}

MAX_TEXT = 7000
MAX_REQUEST = 30 * 1024
MAX_SENDER_NAME = 28
MAX_TRACKING_DATA = 4096
MAX_BUTTONS = 24
MESSAGE_TYPES = frozenset({"text", "picture", "video", "file", "location", "contact",
                           "sticker", "url", "rich_media"})
ACTION_TYPES = frozenset({"reply", "open-url", "location-picker", "share-phone", "none"})


class ViberStatus(Exception):
    def __init__(self, status: int, detail: str | None = None) -> None:
        self.status = status
        self.detail = detail
        super().__init__(f"{STATUS_MESSAGES.get(status, status)}: {detail}" if detail
                         else STATUS_MESSAGES.get(status, str(status)))

    def to_body(self) -> dict[str, Any]:
        message = STATUS_MESSAGES.get(self.status, "error")
        return {"status": self.status,
                "status_message": f"{message}: {self.detail}" if self.detail else message}


def check_message(body: dict[str, Any]) -> None:
    sender = body.get("sender")
    if not isinstance(sender, dict) or not sender.get("name"):
        raise ViberStatus(MISSING_DATA, "sender.name is required")
    if len(str(sender["name"])) > MAX_SENDER_NAME:
        raise ViberStatus(BAD_DATA, f"sender.name is limited to {MAX_SENDER_NAME} characters")
    tracking = body.get("tracking_data")
    if tracking is not None and len(str(tracking)) > MAX_TRACKING_DATA:
        raise ViberStatus(BAD_DATA, "tracking_data is too long")
    if body.get("keyboard") is not None:
        check_keyboard(body["keyboard"])
    kind = body.get("type")
    if kind is None:
        if body.get("keyboard") is None:
            raise ViberStatus(MISSING_DATA, "type is required")
        return  # a keyboard on its own
    if kind not in MESSAGE_TYPES:
        raise ViberStatus(BAD_DATA, f"unknown message type {kind!r}")
    _check_content(kind, body)


def _check_content(kind: str, body: dict[str, Any]) -> None:
    text = body.get("text")
    if kind == "text":
        if not isinstance(text, str) or not text:
            raise ViberStatus(MISSING_DATA, "text is required")
        if len(text) > MAX_TEXT:
            raise ViberStatus(BAD_DATA, f"text is limited to {MAX_TEXT} characters")
    elif kind in ("picture", "video", "file", "url") and not body.get("media"):
        raise ViberStatus(MISSING_DATA, "media is required")
    if kind == "picture" and text is not None and len(str(text)) > 768:
        raise ViberStatus(BAD_DATA, "a picture's text is limited to 768 characters")
    if kind == "file" and not (body.get("file_name") and body.get("size")):
        raise ViberStatus(MISSING_DATA, "file_name and size are required")


def check_keyboard(keyboard: Any) -> None:
    if not isinstance(keyboard, dict) or keyboard.get("Type") != "keyboard":
        raise ViberStatus(BAD_DATA, "keyboard.Type must be 'keyboard'")
    buttons = keyboard.get("Buttons")
    if not isinstance(buttons, list) or not 1 <= len(buttons) <= MAX_BUTTONS:
        raise ViberStatus(BAD_DATA, f"keyboard needs 1 to {MAX_BUTTONS} Buttons")
    for button in buttons:
        if not isinstance(button, dict):
            raise ViberStatus(BAD_DATA, "a button is an object")
        action = button.get("ActionType", "reply")
        if action not in ACTION_TYPES:
            raise ViberStatus(BAD_DATA, f"unknown ActionType {action!r}")
        body = button.get("ActionBody")
        if not isinstance(body, str) or not body:
            raise ViberStatus(MISSING_DATA, "a button needs an ActionBody")
        if not 1 <= int(button.get("Columns", 6)) <= 6 or not 1 <= int(
                button.get("Rows", 1)) <= 2:
            raise ViberStatus(BAD_DATA, "Columns are 1 to 6, Rows 1 to 2")
        if len(str(button.get("Text", ""))) > 250:
            raise ViberStatus(BAD_DATA, "a button's Text is limited to 250 characters")
