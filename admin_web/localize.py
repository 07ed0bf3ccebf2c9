"""Names per language in the panel: the pages show statuses, priorities, types, groups,
canned answers and automation rules in the viewer's language (core/names.py), and the
settings forms read one name field per language (`name_ru`, `name_fa`)."""

from __future__ import annotations

import dataclasses
from typing import Any

from core.automation import AutomationRule
from core.canned import CannedAnswer, CannedGroup
from core.catalog import Priority, TicketType
from core.names import LANGUAGES, Names
from core.people import Group
from core.statuses import Status, Workflow
from storage.panel_views import Reference
from wording.terms import display_name

OTHER_LANGUAGES = tuple(language for language in LANGUAGES if language != "en")
_NAMED = (Status, Priority, TicketType, Group, CannedGroup, AutomationRule)


def names_of(form: Any, field: str = "name") -> Names:
    """The names typed in the fields `<field>_ru`, `<field>_fa` (blank ones left out)."""
    return Names({language: str(form.get(f"{field}_{language}", ""))[:100]
                  for language in OTHER_LANGUAGES})


def _one(item: Any, language: str) -> Any:
    if isinstance(item, CannedAnswer):
        return dataclasses.replace(item, title=display_name(item.title, item.names, language))
    if isinstance(item, _NAMED):
        return dataclasses.replace(item, name=display_name(item.name, item.names, language))
    return item


def _reference(ref: Reference, language: str) -> Reference:
    return dataclasses.replace(
        ref, workflow=Workflow(_one(s, language) for s in ref.workflow.statuses),
        priorities=[_one(p, language) for p in ref.priorities],
        types=[_one(t, language) for t in ref.types],
        groups=[_one(g, language) for g in ref.groups])


def in_language(value: Any, language: str) -> Any:
    """A page's value with the names in `language`: the reference lists, and lists of
    canned answers, their groups or automation rules; anything else as it is."""
    if language == "en":
        return value
    if isinstance(value, Reference):
        return _reference(value, language)
    if isinstance(value, list) and value and isinstance(value[0], (*_NAMED, CannedAnswer)):
        return [_one(item, language) for item in value]
    return value
