"""Reference data every desk needs: the system statuses, default priorities and types, with
their names in Russian and Persian, and the translations of the two seeded automation rules.
Idempotent: rows an administrator already has (renamed, recoloured) are left as they are; a
seeded row without translations gets them, so a desk made before names per language has
them too."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tortoise.models import Model

from core.catalog import default_priorities, default_types
from core.statuses import default_statuses
from storage import models as m
from storage import rule_models as rm
from wording.terms import term

Translations = Mapping[str, Mapping[str, str]]  # default name → {language: name}


def _as_the_desk_says(*defaults: str) -> Translations:
    """The seeded names in each language as the desk's own catalogs say them
    (wording/locales/texts.tsv), so the bots, the panel and the rows given names agree."""
    return {name: {language: term(name, language) for language in ("ru", "fa")}
            for name in defaults}


STATUS_NAMES = _as_the_desk_says("Open", "On hold", "Awaiting reply", "Resolved", "Closed")
PRIORITY_NAMES = _as_the_desk_says("Low", "Normal", "High", "Urgent")
TYPE_NAMES = _as_the_desk_says("Question", "Incident", "Service request", "Internal task")
RULE_NAMES = _as_the_desk_says(  # the rules of migration 0004
    "Client replies to Awaiting reply: back to Open",
    "Resolved with no client answer for 3 days: Closed")


async def ensure_reference_data() -> None:
    for status in default_statuses():
        await m.StatusRow.get_or_create(code=status.code, defaults={
            "name": status.name, "state": status.state.value, "system": True,
            "pauses_sla": status.pauses_sla, "excluded_from_load": status.excluded_from_load,
            "notify_client": status.notify_client, "color": status.color,
            "position": status.position,
        })
    if not await m.PriorityRow.exists():
        for p in default_priorities():
            await m.PriorityRow.create(code=p.code, name=p.name, color=p.color,
                                       position=p.position)
    if not await m.TicketTypeRow.exists():
        for t in default_types():
            await m.TicketTypeRow.create(code=t.code, name=t.name, internal=t.internal,
                                         position=t.position)
    for model, names in ((m.StatusRow, STATUS_NAMES), (m.PriorityRow, PRIORITY_NAMES),
                         (m.TicketTypeRow, TYPE_NAMES), (rm.AutomationRuleRow, RULE_NAMES)):
        await translate(model, names)


async def translate(model: type[Model], translations: Translations,
                    name_field: str = "name") -> None:
    """Give the rows still called by a default name, and with no names of their own, the
    translations of that name (a renamed or translated row is the administrator's)."""
    # every model given here has a `names` field (storage/models.py)
    rows: list[Any] = await model.filter(**{f"{name_field}__in": list(translations)})
    for row in rows:
        if not row.names:
            row.names = dict(translations[getattr(row, name_field)])
            await row.save(update_fields=["names"])
