"""Bot API methods about the bot itself, chats, members, commands, menu buttons and files:
getMe, logOut, close, getChat, getChatMember, getChatAdministrators, getChatMemberCount,
sendChatAction, set/get/deleteMyCommands, set/getChatMenuButton, getFile.
"""

from __future__ import annotations

import json
import re
from typing import Any

from .errors import bad_request
from .files import MAX_DOWNLOAD_SIZE
from .models import Member
from .registry import Call, bot_method

_COMMAND_RE = re.compile(r"^[a-z0-9_]{1,32}$")
_CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)


@bot_method("getMe")
def get_me(call: Call) -> dict[str, Any]:
    me = call.state.bot.to_api()
    me.update(
        can_join_groups=True,
        can_read_all_group_messages=True,
        supports_inline_queries=False,
        can_connect_to_business=False,
        has_main_web_app=False,
    )
    return me


@bot_method("logOut", "close")
def log_out(call: Call) -> bool:
    return True


@bot_method("getChat")
def get_chat(call: Call) -> dict[str, Any]:
    return call.chat().to_full_info()


@bot_method("getChatMember")
def get_chat_member(call: Call) -> dict[str, Any]:
    chat = call.chat()
    user_id: int = call.params["user_id"]
    user = call.state.bot if user_id == call.state.bot.id else call.state.users.get(user_id)
    if user is None:
        raise bad_request("user not found")
    if chat.type == "private":
        if user_id not in (chat.id, call.state.bot.id):
            raise bad_request("user not found")
        return Member(user, "member").to_api()
    member = chat.members.get(user_id) or Member(user, "left")
    return member.to_api()


@bot_method("getChatAdministrators")
def get_chat_administrators(call: Call) -> list[dict[str, Any]]:
    chat = call.chat()
    if chat.type == "private":
        raise bad_request("there are no administrators in the private chat")
    return [m.to_api() for m in chat.members.values() if m.is_admin]


@bot_method("getChatMemberCount")
def get_chat_member_count(call: Call) -> int:
    chat = call.chat()
    if chat.type == "private":
        return 2
    return sum(1 for m in chat.members.values() if m.status not in ("left", "kicked"))


@bot_method("sendChatAction")
def send_chat_action(call: Call) -> bool:
    chat = call.chat()
    if call.params["action"] not in _CHAT_ACTIONS:
        raise bad_request("wrong parameter action in request")
    call.state.thread_for_send(chat, call.get("message_thread_id"))
    return True


def _commands_key(call: Call) -> str:
    scope = call.get("scope") or {"type": "default"}
    return json.dumps(scope, sort_keys=True) + "|" + (call.get("language_code") or "")


@bot_method("setMyCommands")
def set_my_commands(call: Call) -> bool:
    commands: list[dict[str, Any]] = call.params["commands"]
    if len(commands) > 100:
        raise bad_request("too many commands")
    for cmd in commands:
        if not _COMMAND_RE.match(cmd["command"]):
            raise bad_request("BOT_COMMAND_INVALID")
        if not 1 <= len(cmd["description"]) <= 256:
            raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
    scope = call.get("scope") or {}
    if "chat_id" in scope:
        call.state.resolve_chat(scope["chat_id"])
    call.state.commands[_commands_key(call)] = [
        {"command": c["command"], "description": c["description"]} for c in commands
    ]
    call.state.changed()
    return True


@bot_method("getMyCommands")
def get_my_commands(call: Call) -> list[dict[str, Any]]:
    return list(call.state.commands.get(_commands_key(call), []))


@bot_method("deleteMyCommands")
def delete_my_commands(call: Call) -> bool:
    call.state.commands.pop(_commands_key(call), None)
    call.state.changed()
    return True


@bot_method("setChatMenuButton")
def set_chat_menu_button(call: Call) -> bool:
    chat_id = call.get("chat_id")
    if chat_id is not None:
        chat = call.chat()
        if chat.type != "private":
            raise bad_request("menu button can be set only in private chats")
        chat_id = chat.id
    call.state.menu_buttons[chat_id] = call.get("menu_button") or {"type": "default"}
    call.state.changed()
    return True


@bot_method("getChatMenuButton")
def get_chat_menu_button(call: Call) -> dict[str, Any]:
    chat_id = call.chat().id if call.get("chat_id") is not None else None
    buttons = call.state.menu_buttons
    return buttons.get(chat_id) or buttons.get(None) or {"type": "default"}


@bot_method("getFile")
def get_file(call: Call) -> dict[str, Any]:
    stored = call.state.files.get(call.params["file_id"])
    if stored is None:
        raise bad_request("invalid file_id")
    if stored.size > MAX_DOWNLOAD_SIZE:
        raise bad_request("file is too big")
    return stored.to_file()
