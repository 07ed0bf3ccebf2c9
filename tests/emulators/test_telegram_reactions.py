"""setMessageReaction in the Telegram emulator, through the real aiogram client: the bot's one
reaction is kept on the message (what tests and the sandbox read), replaced by the next and
cleared by an empty list; what a bot may not set is refused as Telegram refuses it."""

from __future__ import annotations

import pytest
from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import ReactionTypeCustomEmoji, ReactionTypeEmoji

from emulators.telegram import TelegramEmulator
from tests.emulators.test_telegram_emulator import CLIENT, bot, tg

__all__ = ["bot", "tg"]  # the fixtures


async def test_the_bots_reaction_is_one_allowed_emoji_kept_on_the_message(
        tg: TelegramEmulator, bot: Bot) -> None:
    theirs = tg.inject_private_message(CLIENT, "Hello").message
    assert theirs is not None
    sent = await bot.send_message(CLIENT, "Your ticket #7")
    for message_id in (sent.message_id, theirs.message_id):
        assert await bot.set_message_reaction(CLIENT, message_id,
                                              [ReactionTypeEmoji(emoji="🕊")])
    assert await bot.set_message_reaction(CLIENT, theirs.message_id,
                                          [ReactionTypeEmoji(emoji="👍")])
    assert tg.message(CLIENT, theirs.message_id).reaction_emojis == ["👍"]  # replaced
    assert tg.message(CLIENT, sent.message_id).reaction_emojis == ["🕊"]
    assert await bot.set_message_reaction(CLIENT, sent.message_id, [])
    assert tg.message(CLIENT, sent.message_id).reactions == []

    for reaction, error in (
            ([ReactionTypeEmoji(emoji="🙂")], "REACTION_INVALID"),  # not in Telegram's list
            ([ReactionTypeCustomEmoji(custom_emoji_id="5")], "REACTION_INVALID"),
            ([ReactionTypeEmoji(emoji="👍"), ReactionTypeEmoji(emoji="🔥")],
             "REACTIONS_TOO_MANY")):
        with pytest.raises(TelegramBadRequest, match=error):
            await bot.set_message_reaction(CLIENT, theirs.message_id, reaction)
    with pytest.raises(TelegramBadRequest, match="message to react not found"):
        await bot.set_message_reaction(CLIENT, 9999, [ReactionTypeEmoji(emoji="👍")])
    assert tg.message(CLIENT, theirs.message_id).reaction_emojis == ["👍"]
