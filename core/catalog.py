"""Reference lists an administrator edits: priorities, ticket types, desk-wide settings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from core.names import Names


@dataclass(frozen=True)
class Priority:
    code: str
    name: str
    color: str = "#888888"
    position: int = 0
    names: Names = Names()


@dataclass(frozen=True)
class TicketType:
    code: str
    name: str
    internal: bool = False  # §7.4: never shown or sent to the client
    position: int = 0
    names: Names = Names()


@dataclass(frozen=True)
class DeskSettings:
    reopen_window: timedelta = timedelta(days=7)  # §3.4; zero means closed is final
    auto_close_after: timedelta = timedelta(days=3)  # §2.6
    default_priority: str = "normal"
    default_responsible_id: int | None = None
    leads_see_reports: bool = True  # §9.1: "reports only if allowed"
    company_categories: tuple[str, ...] = ("Client", "Partner", "VIP")  # §8.2


def default_priorities() -> list[Priority]:
    return [
        Priority("low", "Low", "#78909c", 0),
        Priority("normal", "Normal", "#43a047", 1),
        Priority("high", "High", "#fb8c00", 2),
        Priority("urgent", "Urgent", "#e53935", 3),
    ]


def default_types() -> list[TicketType]:
    return [
        TicketType("question", "Question", position=0),
        TicketType("incident", "Incident", position=1),
        TicketType("request", "Service request", position=2),
        TicketType("internal", "Internal task", internal=True, position=3),
    ]
