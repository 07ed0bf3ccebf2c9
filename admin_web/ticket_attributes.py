"""Custom attributes (§9.5) where agents meet them: the ticket page, the new-ticket form and
the API. Only what the viewer's role may see ever leaves here, values and history alike."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from core.attributes import AttributeDefinition, missing_required, visible
from core.people import Role
from core.tickets import HistoryEntry, Ticket

PREFIX = "attr:"


@dataclass(frozen=True)
class AttributeRow:
    """One attribute on the ticket page: its definition, its value, and whether a required
    one is still empty."""

    definition: AttributeDefinition
    value: object
    missing: bool

    @property
    def text(self) -> str:
        return "" if self.value is None else str(self.value)


def rows(ticket: Ticket, definitions: Sequence[AttributeDefinition], role: Role
         ) -> list[AttributeRow]:
    empty = {d.code for d in missing_required(definitions, ticket.attributes)}
    return [AttributeRow(d, ticket.attributes.get(d.code), d.code in empty)
            for d in visible(definitions, role)]


def values_json(ticket: Ticket, definitions: Sequence[AttributeDefinition], role: Role
                ) -> dict[str, Any]:
    return {d.code: ticket.attributes.get(d.code) for d in visible(definitions, role)}


def definition_json(d: AttributeDefinition) -> dict[str, Any]:
    return {"code": d.code, "name": d.name, "kind": d.kind.value, "options": list(d.options),
            "required": d.required}


def visible_history(history: Iterable[HistoryEntry],
                    definitions: Sequence[AttributeDefinition], role: Role
                    ) -> list[HistoryEntry]:
    """The history without changes of attributes the role may not see (nor of deleted
    attributes, whose visibility nobody can tell any more), except for administrators."""
    if role is Role.ADMIN:
        return list(history)
    shown = {PREFIX + d.code for d in visible(definitions, role)}
    return [h for h in history if not h.field.startswith(PREFIX) or h.field in shown]


def history_labels(definitions: Iterable[AttributeDefinition]) -> dict[str, str]:
    return {PREFIX + d.code: d.name for d in definitions}


def from_form(form: Mapping[str, Any]) -> tuple[tuple[str, object], ...]:
    """`attr:<code>` fields of a form, as the command takes them."""
    return tuple((key[len(PREFIX):], str(value)) for key, value in form.items()
                 if key.startswith(PREFIX) and str(value).strip())
