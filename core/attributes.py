"""Custom ticket attributes (docs/DOMAIN.md §9.5): what an administrator defines (text, number,
date or a list of options; who may see it; whether a hand-made ticket needs it) and how a
value an agent gives is checked against its definition."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from core.errors import InvalidInput
from core.people import Role

TEXT_LIMIT = 500
OPTION_LIMIT = 100
ALL_ROLES = frozenset(Role)

Value = str | int | float


class AttributeKind(StrEnum):
    TEXT = "text"
    NUMBER = "number"
    DATE = "date"
    LIST = "list"


@dataclass(frozen=True)
class AttributeDefinition:
    code: str
    name: str
    kind: AttributeKind = AttributeKind.TEXT
    options: tuple[str, ...] = ()  # the choices of a list attribute, in order
    visible_to: frozenset[Role] = ALL_ROLES
    required: bool = False  # on a ticket an agent registers by hand
    position: int = 0
    enabled: bool = True

    def visible_for(self, role: Role) -> bool:
        """Administrators see everything (§9.1); other roles as the definition says."""
        return role is Role.ADMIN or role in self.visible_to

    def parse(self, raw: object) -> Value | None:
        """The value to store for what an agent typed; None clears it. Refusals name the
        attribute and say what it accepts."""
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            return None
        if self.kind is AttributeKind.NUMBER:
            return _number(self.name, raw)
        text = str(raw).strip()
        if self.kind is AttributeKind.DATE:
            try:
                return date.fromisoformat(text).isoformat()
            except ValueError:
                raise InvalidInput("attribute.bad_date", name=self.name,
                                   value=text[:40]) from None
        if self.kind is AttributeKind.LIST:
            if text not in self.options:
                raise InvalidInput("attribute.bad_option", name=self.name,
                                   options=", ".join(self.options), value=text[:40])
            return text
        if len(text) > TEXT_LIMIT:
            raise InvalidInput("attribute.too_long", name=self.name, limit=TEXT_LIMIT)
        return text


def _number(name: str, raw: object) -> int | float:
    if isinstance(raw, bool):
        raise InvalidInput("attribute.not_number", name=name, value=raw)
    text = str(raw).strip().replace(" ", "")
    if "," in text and "." not in text:
        text = text.replace(",", ".")  # a decimal comma, as Russian and Persian write it
    try:
        number = float(text)
    except ValueError:
        raise InvalidInput("attribute.not_number", name=name, value=str(raw)[:40]) from None
    if not math.isfinite(number) or abs(number) > 1e15:
        raise InvalidInput("attribute.not_number", name=name, value=str(raw)[:40])
    return int(number) if number.is_integer() and "e" not in text.lower() else number


def in_order(definitions: Iterable[AttributeDefinition]) -> list[AttributeDefinition]:
    return sorted(definitions, key=lambda d: (d.position, d.code))


def visible(definitions: Iterable[AttributeDefinition], role: Role
            ) -> list[AttributeDefinition]:
    """The enabled attributes this role may see, in the administrator's order."""
    return [d for d in in_order(definitions) if d.enabled and d.visible_for(role)]


def find(definitions: Iterable[AttributeDefinition], code: str, role: Role
         ) -> AttributeDefinition:
    """An attribute this role may set; one hidden from it is as unknown as a missing one."""
    found = next((d for d in visible(definitions, role) if d.code == code), None)
    if found is None:
        raise InvalidInput("attribute.not_found", code=code[:40])
    return found


def values_for_new_ticket(
    definitions: Sequence[AttributeDefinition], role: Role, given: Mapping[str, object],
) -> dict[str, Value]:
    """Check what an agent filled in when registering a ticket: every value parses, and
    every required attribute the agent can see has one."""
    values: dict[str, Value] = {}
    for code, raw in given.items():
        value = find(definitions, code, role).parse(raw)
        if value is not None:
            values[code] = value
    missing = [d.name for d in visible(definitions, role) if d.required and d.code not in values]
    if missing:
        raise InvalidInput("attribute.required", names=", ".join(missing))
    return values


def missing_required(definitions: Iterable[AttributeDefinition],
                     values: Mapping[str, object]) -> list[AttributeDefinition]:
    """Required attributes a ticket has no value for (a client's messenger ticket is never
    refused for them: they wait for an agent)."""
    return [d for d in in_order(definitions)
            if d.enabled and d.required and values.get(d.code) in (None, "")]


def clean_options(lines: Iterable[str]) -> tuple[str, ...]:
    """List options as an administrator typed them: trimmed, no blanks, no repeats."""
    options: list[str] = []
    for line in lines:
        option = line.strip()[:OPTION_LIMIT]
        if option and option not in options:
            options.append(option)
    return tuple(options)
