"""Reading automation rules, macros and recurring schedules from the panel's forms. A value
the form cannot hold raises FormError with a message for the page; whether the rule can work
(codes that exist, a valid schedule) is the core's decision (core/rule_admin.py)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from admin_web.forms import flag, integer
from core.actions import (
    Action,
    AddNote,
    Notify,
    SendCanned,
    SetLine,
    SetPriority,
    SetResponsible,
    SetStatus,
    SetType,
)
from core.automation import AutomationRule, Macro, Trigger
from core.conditions import ALL_WEEKDAYS, Conditions, TimeWindow
from core.recurring import RecurringSchedule, TicketTemplate

ACTION_ORDER = ("set_status", "set_priority", "set_type", "set_responsible", "set_line",
                "add_note", "notify", "send_canned")
CHANGED_FIELDS = ("priority", "type_code", "responsible", "line")
CLEAR = "-"  # "set type: none"
TEXT_LIMIT = 4000


class FormError(Exception):
    """A message (translated by the page) with its values."""

    def __init__(self, message: str, **values: object) -> None:
        super().__init__(message)
        self.message, self.values = message, values


def _number(form: Any, name: str, what: str) -> float | None:
    text = str(form.get(name, "")).strip().replace(",", ".")
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        raise FormError("{what} is not a number: {value}", what=what, value=text[:40]) from None
    if not 0 < value <= 24 * 366:
        raise FormError("{what} must be above 0 and at most a year", what=what)
    return value


def _choice(form: Any, name: str) -> int | None:
    text = str(form.get(name, "")).strip()
    if not text:
        return None
    number = integer(text)
    if number is None or number <= 0:
        raise FormError("Not a valid choice: {value}", value=text[:40])
    return number


def _strings(form: Any, name: str) -> frozenset[str]:
    return frozenset(str(v)[:100] for v in form.getall(name, []) if str(v).strip())


def _ids(form: Any, name: str) -> frozenset[int]:
    ids = [integer(v) for v in form.getall(name, [])]
    if any(i is None for i in ids):
        raise FormError("Not a valid choice: {value}", value=name)
    return frozenset(i for i in ids if i is not None)


def _attributes(text: str) -> dict[str, frozenset[str]]:
    """`code: value, value` per line."""
    found: dict[str, frozenset[str]] = {}
    for line in text.splitlines():
        if not line.strip():
            continue
        code, colon, values = line.partition(":")
        accepted = frozenset(v.strip() for v in values.split(",") if v.strip())
        if not colon or not code.strip() or not accepted:
            raise FormError("Write attribute conditions as code: value, value (not {line})",
                            line=line.strip()[:60])
        found[code.strip()[:60]] = accepted
    return found


def _window(form: Any) -> TimeWindow | None:
    days = frozenset(int(d) for d in form.getall("reg_weekdays", []) if str(d) in "0123456"
                     and len(str(d)) == 1)
    start, end = str(form.get("reg_start", "")).strip(), str(form.get("reg_end", "")).strip()
    zone = str(form.get("reg_timezone", "")).strip()[:64] or None
    if not days and not start and not end:
        return None
    try:
        window = TimeWindow(days or ALL_WEEKDAYS, time.fromisoformat(start or "00:00"),
                            time.fromisoformat(end or "00:00"), zone)
    except ValueError:
        raise FormError("Give registration hours as HH:MM") from None
    whole = window.weekdays == ALL_WEEKDAYS and window.start == window.end
    return None if whole else window


def conditions(form: Any) -> Conditions:
    lines = _ids(form, "lines")
    if not lines <= {1, 2}:
        raise FormError("The line is 1 or 2")
    return Conditions(
        types=_strings(form, "types"), priorities=_strings(form, "priorities"),
        channels=_strings(form, "channels"), categories=_strings(form, "categories"),
        company_ids=_ids(form, "companies"), statuses=_strings(form, "statuses"),
        lines=lines, attributes=_attributes(str(form.get("attributes", ""))[:TEXT_LIMIT]),
        registered=_window(form))


def _text(form: Any, name: str) -> str:
    return str(form.get(name, "")).strip()[:TEXT_LIMIT]


def _one_of_each(form: Any) -> dict[str, Action]:
    found: dict[str, Action] = {}
    if status := _text(form, "a_status"):
        found["set_status"] = SetStatus(status, _number(form, "a_hold_hours", "On hold for")
                                        or 24.0)
    if priority := _text(form, "a_priority"):
        found["set_priority"] = SetPriority(priority)
    if type_code := _text(form, "a_type"):
        found["set_type"] = SetType(None if type_code == CLEAR else type_code)
    employee, group = _choice(form, "a_responsible"), _choice(form, "a_group")
    if employee is not None or group is not None:
        found["set_responsible"] = SetResponsible(employee, group)
    if line := _choice(form, "a_line"):
        found["set_line"] = SetLine(line)
    if note := _text(form, "a_note"):
        found["add_note"] = AddNote(note)
    notify_ids = tuple(sorted(_ids(form, "a_notify_employees")))
    if notify := _text(form, "a_notify"):
        found["notify"] = Notify(notify, notify_ids, flag(form, "a_notify_people"))
    elif notify_ids:
        raise FormError("A notification needs a text")
    if answer := _choice(form, "a_canned"):
        found["send_canned"] = SendCanned(answer)
    return found


def actions(form: Any, before: Sequence[Action] = ()) -> tuple[Action, ...]:
    """One action of each kind the form fills, in the order the rule had them (new kinds
    after, in the form's order)."""
    found = _one_of_each(form)
    if not found:
        raise FormError("Choose at least one action")
    kept = [a.kind for a in before if a.kind in found]
    order = list(dict.fromkeys([*kept, *ACTION_ORDER]))
    return tuple(found[k] for k in order if k in found)


def _name(form: Any) -> str:
    name = str(form.get("name", "")).strip()[:100]
    if not name:
        raise FormError("Give it a name")
    return name


def automation_rule(form: Any, existing: AutomationRule | None) -> AutomationRule:
    try:
        trigger = Trigger(str(form.get("trigger", "")))
    except ValueError:
        raise FormError("Choose the event the rule waits for") from None
    changed = _text(form, "field") or None
    if changed is not None and changed not in CHANGED_FIELDS and not changed.startswith("attr:"):
        raise FormError("Not a valid choice: {value}", value=changed[:40])
    hours = _number(form, "idle_hours", "Idle hours")
    if trigger is Trigger.IDLE and hours is None:
        raise FormError("An idle rule needs a number of hours")
    return AutomationRule(
        existing.id if existing else 0, _name(form), trigger,
        actions(form, existing.actions if existing else ()), conditions(form),
        changed if trigger is Trigger.FIELD_CHANGED else None,
        _strings(form, "from_statuses") if trigger is Trigger.STATUS_CHANGED else frozenset(),
        hours if trigger is Trigger.IDLE else None, flag(form, "enabled"),
        existing.position if existing else 10**6)


def macro(form: Any, existing: Macro | None) -> Macro:
    return Macro(existing.id if existing else 0, _name(form),
                 actions(form, existing.actions if existing else ()), flag(form, "enabled"),
                 existing.position if existing else 10**6)


def _starts_at(form: Any, zone: str, now: datetime) -> datetime:
    text = str(form.get("starts_at", "")).strip()
    if not text:
        return now
    try:
        parsed = datetime.fromisoformat(text)
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=ZoneInfo(zone))
    except (ValueError, KeyError):
        raise FormError("Give the start as a date and time") from None


def schedule(form: Any, existing: RecurringSchedule | None, desk_zone: str,
             now: datetime) -> RecurringSchedule:
    contact = _choice(form, "contact_id")
    if contact is None:
        raise FormError("Choose the client the tickets are for")
    zone = str(form.get("timezone", "")).strip()[:64] or desk_zone
    template = TicketTemplate(_text(form, "subject")[:200], _text(form, "text"),
                              _text(form, "type_code") or None,
                              _text(form, "priority") or None)
    return RecurringSchedule(
        existing.id if existing else 0, _name(form), " ".join(str(form.get("cron", "")).split()),
        zone, contact, template, _starts_at(form, desk_zone, now),
        existing.last_run_at if existing else None, flag(form, "enabled"),
        existing.position if existing else 10**6)
