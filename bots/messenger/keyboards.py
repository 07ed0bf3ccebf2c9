"""Buttons clients press in VK and Viber, platform-neutral: each sender turns them into its
keyboard (VK: text buttons with a JSON payload; Viber: reply buttons). Labels are in the
client's language."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bots.i18n import Translator

MAX_LIST_BUTTONS = 6  # VK shows at most 6 rows in a keyboard under a message


@dataclass(frozen=True)
class Button:
    label: str
    action: str  # see bots.messenger.incoming
    style: str = "secondary"  # primary, positive, negative, secondary

    def to_payload(self) -> dict[str, str]:
        return {"label": self.label, "action": self.action, "style": self.style}

    @classmethod
    def from_payload(cls, data: dict[str, Any]) -> Button:
        return cls(str(data["label"]), str(data["action"]), str(data.get("style", "secondary")))


Rows = tuple[tuple[Button, ...], ...]
SHARE_PHONE = "share_phone"  # a pseudo-action: the platform's own "share my number" button


def main_menu(tr: Translator, share_phone: bool = False) -> Rows:
    """The keyboard under the chat: tickets, a new ticket, close the current one, help."""
    rows: list[tuple[Button, ...]] = [
        (Button(tr("My tickets"), "tickets", "primary"),
         Button(tr("New ticket"), "new", "positive")),
        (Button(tr("Close ticket"), "close", "negative"), Button(tr("Help"), "help")),
    ]
    if share_phone:
        rows.append((Button(tr("Share my phone number"), SHARE_PHONE),))
    return tuple(rows)


def resolution_buttons(confirm: str, reopen: str, ticket_id: int) -> Rows:
    return (
        (Button("✅ " + confirm, f"confirm:{ticket_id}", "positive"),
         Button("↩️ " + reopen, f"reopen:{ticket_id}", "negative")),
        tuple(Button(f"★{score}", f"rate:{ticket_id}:{score}", "primary")
              for score in range(1, 6)),
    )


def rows_to_payload(rows: Rows) -> list[list[dict[str, str]]]:
    return [[b.to_payload() for b in row] for row in rows]


def rows_from_payload(data: Any) -> Rows:
    if not isinstance(data, list):
        return ()
    return tuple(tuple(Button.from_payload(b) for b in row if isinstance(b, dict))
                 for row in data if isinstance(row, list))
