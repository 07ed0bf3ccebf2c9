"""The desk's own words shown from data: channel names, roles, and the seeded reference data
(system statuses, default priorities, types, company categories, automation rules), each in
the person's language. A name an administrator typed is shown as typed."""

from __future__ import annotations

from collections.abc import Mapping

from core.names import localized
from wording.words import messages, word

CHANNELS = {"telegram": "Telegram", "vk": "VK", "viber": "Viber", "agent": "Created by an agent",
            "email": "E-mail", "web": "Web form"}
ROLES = {"admin": "Administrator", "lead": "Lead", "specialist": "Specialist"}


def channel_name(code: str, language: str) -> str:
    """`vk` -> "VK" / "ВКонтакте"; an unknown code is shown as it is."""
    return word(CHANNELS[code], language) if code in CHANNELS else code


def role_name(code: str, language: str) -> str:
    return word(ROLES[code], language) if code in ROLES else code


def term(name: str, language: str) -> str:
    """A seeded name ("Awaiting reply", "Urgent", "VIP") in the language; any other name
    (one an administrator gave) as it is."""
    return messages(language).gettext(name) or name


def display_name(name: str, names: Mapping[str, str] | None, language: str | None) -> str:
    """How a status, priority, type, group, canned answer or rule is shown to a reader in
    `language`, the same in the bots and the panel: the name an administrator gave in that
    language; else a seeded name in the desk's own words (`term`); else the name as typed."""
    given = localized(name, names, language)
    if given != name or not language:
        return given
    return term(name, language)


def display_names(catalog: Mapping[str, tuple[str, Mapping[str, str]]],
                  language: str | None) -> dict[str, str]:
    """`display_name` of each entry of a code -> (default name, names) catalog."""
    return {code: display_name(name, names, language) for code, (name, names) in catalog.items()}
