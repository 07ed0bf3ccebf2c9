"""What a client sent in VK or Viber, as the conversation takes it: who, in which language,
the text and files, a shared phone number, and the button pressed."""

from __future__ import annotations

from dataclasses import dataclass

from core.tickets import Attachment

# A button's action travels in the platform's button payload (VK) or as the text the
# button sends (Viber: "cd:<action>"). Actions: start, help, tickets, new, close,
# pick:<ticket>, confirm:<ticket>, reopen:<ticket>, rate:<ticket>:<1-5>, comment:<ticket>,
# skip:<ticket>.
ACTION_PREFIX = "cd:"

# Typed commands work too (what a Telegram client would type).
TEXT_COMMANDS = {"/start": "start", "/help": "help", "/tickets": "tickets", "/new": "new",
                 "/close": "close"}


@dataclass(frozen=True)
class ClientMessage:
    channel: str
    user_id: str
    name: str
    language: str | None = None
    text: str = ""
    attachments: tuple[Attachment, ...] = ()
    phone: str | None = None  # the client's own number, shared with a button
    action: str | None = None

    @property
    def command(self) -> str | None:
        """The action asked for: a button's, or a typed command's."""
        if self.action:
            return self.action
        if self.text.startswith(ACTION_PREFIX):
            return self.text[len(ACTION_PREFIX):].strip()
        word = self.text.strip().split(maxsplit=1)[0].lower() if self.text.strip() else ""
        return TEXT_COMMANDS.get(word.split("@")[0])
