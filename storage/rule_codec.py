"""Rule parts <-> JSON: conditions, actions, calendar hours, ticket templates. Compact:
empty conditions are left out, times are "HH:MM[:SS]"."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from datetime import time
from typing import Any

from core.actions import ACTION_TYPES, Action
from core.calendar import WorkingInterval
from core.conditions import ALL_WEEKDAYS, Conditions, TimeWindow
from core.recurring import TicketTemplate

_SETS = ("types", "priorities", "channels", "categories", "company_ids", "statuses", "lines")
_ACTIONS: dict[str, type[Action]] = {cls.kind: cls for cls in ACTION_TYPES}


def _time(value: str) -> time:
    return time.fromisoformat(value)


def window_to_json(window: TimeWindow) -> dict[str, Any]:
    return {"weekdays": sorted(window.weekdays), "start": window.start.isoformat(),
            "end": window.end.isoformat(), "timezone": window.timezone}


def window_from_json(data: Mapping[str, Any]) -> TimeWindow:
    return TimeWindow(frozenset(data.get("weekdays", ALL_WEEKDAYS)),
                      _time(data.get("start", "00:00")), _time(data.get("end", "00:00")),
                      data.get("timezone"))


def conditions_to_json(conditions: Conditions) -> dict[str, Any]:
    data: dict[str, Any] = {name: sorted(getattr(conditions, name)) for name in _SETS
                            if getattr(conditions, name)}
    if conditions.attributes:
        data["attributes"] = {k: sorted(v) for k, v in conditions.attributes.items()}
    if conditions.registered is not None:
        data["registered"] = window_to_json(conditions.registered)
    return data


def conditions_from_json(data: Mapping[str, Any] | None) -> Conditions:
    data = data or {}
    sets = {name: frozenset(data.get(name, ())) for name in _SETS}
    attributes = {k: frozenset(v) for k, v in (data.get("attributes") or {}).items()}
    registered = data.get("registered")
    return Conditions(**sets, attributes=attributes,
                      registered=window_from_json(registered) if registered else None)


def actions_to_json(actions: Sequence[Action]) -> list[dict[str, Any]]:
    return [{"kind": a.kind, **dataclasses.asdict(a)} for a in actions]


def actions_from_json(data: Sequence[Mapping[str, Any]] | None) -> tuple[Action, ...]:
    actions: list[Action] = []
    for item in data or ():
        values = {k: v for k, v in item.items() if k != "kind"}
        if "employee_ids" in values:
            values["employee_ids"] = tuple(values["employee_ids"])
        actions.append(_ACTIONS[item["kind"]](**values))
    return tuple(actions)


def intervals_to_json(intervals: Sequence[WorkingInterval]) -> list[list[str]]:
    return [[iv.start.isoformat(), iv.end.isoformat()] for iv in intervals]


def intervals_from_json(data: Sequence[Sequence[str]]) -> list[WorkingInterval]:
    return [WorkingInterval(_time(start), _time(end)) for start, end in data]


def template_to_json(template: TicketTemplate) -> dict[str, Any]:
    return dataclasses.asdict(template)


def template_from_json(data: Mapping[str, Any]) -> TicketTemplate:
    return TicketTemplate(**data)
