"""setMessageReaction: the bot's reaction on a message, kept on the message so tests (and
the sandbox page) see it. As for a bot on Telegram: at most one reaction, an emoji from the
list the spec allows; paid reactions and custom emojis are refused; an empty list clears.
Not a message sent, so it does not count against the flood limits."""

from __future__ import annotations

import json
import re
from functools import cache
from importlib import resources
from typing import Any

from .errors import bad_request
from .registry import Call, bot_method


@cache
def allowed_emojis() -> frozenset[str]:
    """The emojis ReactionTypeEmoji may carry, as the vendored spec lists them."""
    text = resources.files("emulators.telegram.spec").joinpath("api.json").read_text("utf-8")
    fields = json.loads(text)["types"]["ReactionTypeEmoji"]["fields"]
    description = next(f for f in fields if f["name"] == "emoji")["description"]
    if not isinstance(description, str):  # some versions of the spec keep it in lines
        description = " ".join(description)
    return frozenset(re.findall(r'"([^"]+)"', description.split("one of", 1)[1]))


def _checked(reaction: dict[str, Any]) -> dict[str, Any]:
    if reaction.get("type") != "emoji" or reaction.get("emoji") not in allowed_emojis():
        raise bad_request("REACTION_INVALID")
    return {"type": "emoji", "emoji": reaction["emoji"]}


@bot_method("setMessageReaction")
def set_message_reaction(call: Call) -> bool:
    chat = call.chat()
    msg = call.state.get_message(chat.id, call.params["message_id"])
    if msg is None or msg.deleted:
        raise bad_request("message to react not found")
    if msg.service:
        raise bad_request("REACTION_INVALID")
    reactions = call.get("reaction") or []
    if len(reactions) > 1:
        raise bad_request("REACTIONS_TOO_MANY")
    msg.reactions = [_checked(r) for r in reactions]
    call.state.changed()
    return True
