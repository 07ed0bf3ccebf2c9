"""The VK API methods the emulator implements: messages.send (with VK's random_id
deduplication and keyboard checks), messages.edit (the community's own messages, within
24 hours), groups.getLongPollServer, groups.getById,
groups.getCallbackConfirmationCode and users.get. Methods that exist in the schema but are
not emulated answer error 1 and are noted as an emulator gap."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from typing import Any

from .errors import (
    ACCESS_DENIED,
    EDIT_EXPIRED,
    KEYBOARD,
    NO_PERMISSION,
    TOO_LONG,
    UNKNOWN,
    VkError,
    param_error,
)
from .state import SentMessage, VkState

Method = Callable[[VkState, Mapping[str, str], str], Any]

RANDOM_ID_WINDOW = 3600.0  # seconds a random_id is remembered per conversation
BUTTON_TYPES = frozenset({"text", "callback", "open_link", "location", "vkpay", "open_app"})
MAX_LABEL = 40
MAX_PAYLOAD = 255
MAX_TEXT = 9000  # messages.send and messages.edit: `message` maxLength in the schema
EDIT_WINDOW = 24 * 3600  # seconds a community may edit what it sent


def messages_send(state: VkState, params: Mapping[str, str], base_url: str) -> Any:
    peer = params.get("peer_id") or params.get("user_id")
    if not peer:
        raise param_error("peer_id is undefined")
    peer_id = int(peer)
    text = params.get("message", "")
    attachment = params.get("attachment") or None
    if not text.strip() and not attachment:
        raise param_error("message is empty or invalid")
    user = state.users.get(peer_id)
    if user is None or not user.can_write or user.blocked:
        raise VkError(NO_PERMISSION)
    keyboard = _keyboard(params.get("keyboard"))
    random_id = int(params["random_id"])
    now = time.monotonic()
    earlier = state.random_ids.get((peer_id, random_id))
    if random_id and earlier and now - earlier[1] < RANDOM_ID_WINDOW:
        return earlier[0]  # VK does not deliver a message with a used random_id again
    message = SentMessage(state.next_message_id, peer_id, text, random_id, int(time.time()),
                          keyboard, attachment, params.get("payload"))
    state.next_message_id += 1
    state.sent.append(message)
    if random_id:
        state.random_ids[(peer_id, random_id)] = (message.id, now)
    state.changed()
    return message.id


def messages_edit(state: VkState, params: Mapping[str, str], base_url: str) -> Any:
    """Edit a message the community sent: its text (or attachment) and, when `keyboard` is
    given, its keyboard (one without buttons removes it); without `keyboard` the old one
    stays. Answers 1."""
    if not params.get("peer_id"):
        raise param_error("peer_id is undefined")
    peer_id = int(params["peer_id"])
    if params.get("cmid") and not params.get("message_id"):
        raise param_error("cmid is not emulated: pass message_id")
    if not params.get("message_id"):
        raise param_error("message_id is undefined")
    message_id = int(params["message_id"])
    message = next((m for m in state.sent if m.id == message_id), None)
    if message is None or message.peer_id != peer_id:
        raise VkError(ACCESS_DENIED, "message not found in this conversation")
    text = params.get("message", "")
    attachment = params.get("attachment") or None
    if not text.strip() and not attachment and not message.attachment:
        raise param_error("message is empty or invalid")
    if len(text) > MAX_TEXT:
        raise VkError(TOO_LONG)
    now = int(time.time())
    if now - message.date > EDIT_WINDOW:
        raise VkError(EDIT_EXPIRED)
    if "keyboard" in params:
        keyboard = _keyboard(params["keyboard"])
        message.keyboard = keyboard if keyboard and keyboard["buttons"] else None
    message.text = text
    if attachment:
        message.attachment = attachment
    message.edits += 1
    message.update_time = now
    state.changed()
    return 1


def _keyboard(raw: str | None) -> dict[str, Any] | None:
    """The keyboard JSON, checked the way VK checks it (error 911 when malformed)."""
    if not raw:
        return None
    try:
        keyboard = json.loads(raw)
    except ValueError:
        raise VkError(KEYBOARD, "keyboard is not valid JSON") from None
    if not isinstance(keyboard, dict) or not isinstance(keyboard.get("buttons"), list):
        raise VkError(KEYBOARD, "buttons should be an array")
    rows = keyboard["buttons"]
    inline = bool(keyboard.get("inline"))
    max_rows, max_buttons = (6, 10) if inline else (10, 40)
    count = sum(len(row) for row in rows if isinstance(row, list))
    if len(rows) > max_rows or count > max_buttons:
        raise VkError(KEYBOARD, f"at most {max_rows} rows and {max_buttons} buttons")
    for row in rows:
        if not isinstance(row, list) or len(row) > 5:
            raise VkError(KEYBOARD, "a row is an array of at most 5 buttons")
        for button in row:
            _check_button(button)
    return keyboard


def _check_button(button: Any) -> None:
    action = button.get("action") if isinstance(button, dict) else None
    if not isinstance(action, dict) or action.get("type") not in BUTTON_TYPES:
        raise VkError(KEYBOARD, "button action type is invalid")
    if action["type"] in ("text", "callback", "open_link"):
        label = action.get("label")
        if not isinstance(label, str) or not label or len(label) > MAX_LABEL:
            raise VkError(KEYBOARD, f"button label should be 1 to {MAX_LABEL} characters")
    payload = action.get("payload")
    if payload is not None:
        if not isinstance(payload, str) or len(payload) > MAX_PAYLOAD:
            raise VkError(KEYBOARD, f"payload should be a string of at most {MAX_PAYLOAD}")
        try:
            json.loads(payload)
        except ValueError:
            raise VkError(KEYBOARD, "payload should be JSON") from None


def _own_group(state: VkState, params: Mapping[str, str], name: str = "group_id") -> None:
    value = params.get(name, "").strip()
    if value.lstrip("-") != str(state.group_id):
        raise VkError(ACCESS_DENIED, "no access to this community")


def groups_get_long_poll_server(state: VkState, params: Mapping[str, str],
                                base_url: str) -> Any:
    _own_group(state, params)
    return {"key": state.longpoll_key, "server": f"{base_url}/longpoll/{state.group_id}",
            "ts": str(state.next_seq)}


def groups_get_callback_confirmation_code(state: VkState, params: Mapping[str, str],
                                          base_url: str) -> Any:
    _own_group(state, params)
    code = state.callback.confirmation_code if state.callback else "00000000"
    return {"code": code}


def groups_get_by_id(state: VkState, params: Mapping[str, str], base_url: str) -> Any:
    wanted = params.get("group_id") or params.get("group_ids") or str(state.group_id)
    groups = []
    for item in wanted.split(","):
        if item.strip().lstrip("-") != str(state.group_id):
            raise param_error(f"group {item.strip()} not found")
        groups.append({"id": state.group_id, "name": state.group_name,
                       "screen_name": f"club{state.group_id}", "is_closed": 0,
                       "type": "group"})
    return {"groups": groups, "profiles": []}


def users_get(state: VkState, params: Mapping[str, str], base_url: str) -> Any:
    ids = [i.strip() for i in params.get("user_ids", "").split(",") if i.strip()]
    found = []
    for raw in ids:
        if raw.isdigit() and int(raw) in state.users:
            found.append(state.users[int(raw)].to_api())
    return found


IMPLEMENTED: dict[str, Method] = {
    "messages.send": messages_send,
    "messages.edit": messages_edit,
    "groups.getLongPollServer": groups_get_long_poll_server,
    "groups.getCallbackConfirmationCode": groups_get_callback_confirmation_code,
    "groups.getById": groups_get_by_id,
    "users.get": users_get,
}


def not_emulated(name: str) -> VkError:
    return VkError(UNKNOWN, f"{name} is not emulated")
