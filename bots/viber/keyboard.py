"""Our buttons as a Viber keyboard: reply buttons whose ActionBody ("cd:<action>") comes
back as the client's message (silently), six columns a row, and the share-phone button."""

from __future__ import annotations

from typing import Any

from bots.messenger.incoming import ACTION_PREFIX
from bots.messenger.keyboards import SHARE_PHONE, Button, Rows

COLUMNS = 6
COLORS = {"primary": "#7360f2", "positive": "#35b86b", "negative": "#e25c5c"}
TEXT_COLOR = "<font color=\"#ffffff\">{}</font>"


def viber_keyboard(rows: Rows) -> dict[str, Any]:
    buttons: list[dict[str, Any]] = []
    for row in rows:
        width = max(COLUMNS // max(len(row), 1), 1)
        buttons.extend(_button(b, width) for b in row)
    return {"Type": "keyboard", "DefaultHeight": False, "InputFieldState": "regular",
            "Buttons": buttons}


def _button(button: Button, columns: int) -> dict[str, Any]:
    color = COLORS.get(button.style)
    text = button.label.replace("<", "&lt;").replace(">", "&gt;")
    viber: dict[str, Any] = {
        "Columns": columns, "Rows": 1, "Text": TEXT_COLOR.format(text) if color else text,
        "TextSize": "regular", "BgColor": color or "#f1f1f6", "Silent": True,
    }
    if button.action == SHARE_PHONE:
        viber.update(ActionType="share-phone", ActionBody="share-phone")
    else:
        viber.update(ActionType="reply", ActionBody=ACTION_PREFIX + button.action)
    return viber
