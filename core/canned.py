"""Canned answers in groups, with variables such as {{ client_name }} (docs/DOMAIN.md §3.6)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from core.names import Names

_VARIABLE = re.compile(r"\{\{\s*([a-z_][a-z0-9_]*)\s*\}\}")

VARIABLES = ("client_name", "ticket_number", "agent_name", "ticket_subject")


@dataclass(frozen=True)
class CannedGroup:
    id: int
    name: str
    position: int = 0
    names: Names = Names()


@dataclass(frozen=True)
class CannedAnswer:
    id: int
    group_id: int
    title: str
    body: str
    position: int = 0
    names: Names = Names()  # the title in other languages


def render(body: str, values: Mapping[str, object]) -> str:
    """Fill the known variables; an unknown one stays as written so the agent sees it while
    editing. Plain substitution on purpose: an admin-written template reaches no code."""

    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        return str(values[name]) if name in values else match.group(0)

    return _VARIABLE.sub(fill, body)
