"""Reading automation rules, macros and recurring schedules from the panel's forms, and
writing a rule or macro back as the form that makes it, so the page is filled in the same way
from a saved rule and from a refused form. A value the form cannot hold raises FormError with
a message for the page; whether the rule can work (codes that exist, a valid schedule) is the
core's decision (core/rule_admin.py)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import time
from typing import Any, assert_never

from multidict import MultiDict

from admin_web.forms import flag, integer
from admin_web.localize import names_of
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

# An action row's fields are `a<n>_<field>`, rows in the order of n (docs/DOMAIN.md §6: a rule or
# macro does its actions in order, any number of each kind). Each kind reads only its own
# fields; the page shows only those (settings/_automation.html, static/editors.js).
KIND_FIELDS: Mapping[str, tuple[str, ...]] = {
    "set_status": ("status", "hold_hours"), "set_priority": ("priority",),
    "set_type": ("type",), "set_responsible": ("responsible", "group"), "set_line": ("line",),
    "add_note": ("text",), "notify": ("notify_employees", "notify_people", "text"),
    "send_canned": ("canned",)}
ROW_FIELDS = ("kind", "remove", *dict.fromkeys(f for fs in KIND_FIELDS.values() for f in fs))
# field → the kinds that use it, as the page's data-kinds attribute
FIELD_KINDS = {name: " ".join(k for k, fs in KIND_FIELDS.items() if name in fs)
               for name in ROW_FIELDS[2:]}
_ROW = re.compile(r"a(\d{1,4})_kind")
BLANK_ROWS = 3  # empty rows under a rule's actions, to add more
MAX_ACTIONS = 30
CHANGED_FIELDS = ("priority", "type_code", "responsible", "line")
CLEAR = "-"  # "set type: none"
TEXT_LIMIT = 4000


class FormError(Exception):
    """A message (translated by the page) with its values."""

    def __init__(self, message: str, action: int | None = None, **values: object) -> None:
        super().__init__(message)
        self.message, self.values = message, values
        self.action = action  # the number of the action row it is about


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


def choice(form: Any, name: str) -> int | None:
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
        if code.strip()[:60] in found:  # a second line would silently replace the first
            raise FormError("{code} has two lines; put all its values on one",
                            code=code.strip()[:60])
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


def field_text(form: Any, name: str) -> str:
    return str(form.get(name, "")).strip()[:TEXT_LIMIT]


@dataclass(frozen=True)
class ActionRow:
    """One action row of a form: the texts of its fields by name; a blank row has none."""

    fields: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    @classmethod
    def read(cls, form: Any, number: int) -> ActionRow:
        """A row of a chosen kind keeps only that kind's fields: what a browser without the
        page's script sends from the others is not the row's (nor kept when it comes back)."""
        prefix = f"a{number}_"
        kind = str(form.get(prefix + "kind", "")).strip()
        names = ("kind", "remove", *KIND_FIELDS[kind]) if kind in KIND_FIELDS else ROW_FIELDS
        return cls({name: tuple(str(v) for v in form.getall(prefix + name))
                    for name in names if prefix + name in form})

    def get(self, name: str, default: str = "") -> str:
        values = self.fields.get(name)
        return values[0] if values else default

    def getall(self, name: str, default: tuple[str, ...] = ()) -> tuple[str, ...]:
        return self.fields.get(name, default)

    def has(self, name: str, value: object) -> bool:
        return str(value) in self.fields.get(name, ())

    @property
    def kind(self) -> str:
        return self.get("kind").strip()

    @property
    def removed(self) -> bool:
        return flag(self, "remove")

    @property
    def blank(self) -> bool:
        """Nothing typed (a checkbox that starts ticked does not count)."""
        return not any(v.strip() for name, values in self.fields.items()
                       if name not in ("notify_people", "remove") for v in values)


EMPTY_ROW = ActionRow({"notify_people": ("1",)})


def _all_rows(form: Any) -> list[ActionRow]:
    numbers = sorted({int(m.group(1)) for key in form if (m := _ROW.fullmatch(str(key)))})
    return [ActionRow.read(form, n) for n in numbers]


def action_rows(form: Any) -> list[ActionRow]:
    """The form's action rows in order, leaving out the blank ones."""
    return [row for row in _all_rows(form) if not row.blank]


def _required(row: ActionRow, name: str, message: str) -> str:
    if not (text := field_text(row, name)):
        raise FormError(message)
    return text


def _chosen(row: ActionRow, name: str, message: str) -> int:
    if (number := choice(row, name)) is None:
        raise FormError(message)
    return number


def _action(row: ActionRow) -> Action:
    match row.kind:
        case "set_status":
            return SetStatus(_required(row, "status", "Choose the status"),
                             _number(row, "hold_hours", "On hold for") or 24.0)
        case "set_priority":
            return SetPriority(_required(row, "priority", "Choose the priority"))
        case "set_type":
            type_code = _required(row, "type", "Choose the type")
            return SetType(None if type_code == CLEAR else type_code)
        case "set_responsible":
            employee, group = choice(row, "responsible"), choice(row, "group")
            if employee is None and group is None:
                raise FormError("Choose an employee or a group")
            return SetResponsible(employee, group)
        case "set_line":
            return SetLine(_chosen(row, "line", "Choose the line"))
        case "add_note":
            return AddNote(_required(row, "text", "A note needs a text"))
        case "notify":
            return Notify(_required(row, "text", "A notification needs a text"),
                          tuple(sorted(_ids(row, "notify_employees"))),
                          flag(row, "notify_people"))
        case "send_canned":
            return SendCanned(_chosen(row, "canned", "Choose the canned answer"))
        case "":
            raise FormError("Choose what the action does")
    raise FormError("Not a valid choice: {value}", value=row.kind[:40])


def actions(form: Any) -> tuple[Action, ...]:
    """The actions of the form's rows, in the rows' order; a row marked "remove" is left
    out. A refusal names the row it is about."""
    found: list[Action] = []
    for number, row in enumerate(action_rows(form), 1):
        if row.removed:
            continue
        try:
            found.append(_action(row))
        except FormError as exc:
            raise FormError(exc.message, number, **exc.values) from None
    if not found:
        raise FormError("Choose at least one action")
    if len(found) > MAX_ACTIONS:
        raise FormError("At most {count} actions", count=MAX_ACTIONS)
    return tuple(found)


def rule_name(form: Any) -> str:
    name = str(form.get("name", "")).strip()[:100]
    if not name:
        raise FormError("Give it a name")
    return name


def automation_rule(form: Any, existing: AutomationRule | None) -> AutomationRule:
    try:
        trigger = Trigger(str(form.get("trigger", "")))
    except ValueError:
        raise FormError("Choose the event the rule waits for") from None
    changed = field_text(form, "field") or None
    if changed is not None and changed not in CHANGED_FIELDS and not changed.startswith("attr:"):
        raise FormError("Not a valid choice: {value}", value=changed[:40])
    hours = _number(form, "idle_hours", "Idle hours")
    if trigger is Trigger.IDLE and hours is None:
        raise FormError("An idle rule needs a number of hours")
    return AutomationRule(
        existing.id if existing else 0, rule_name(form), trigger,
        actions(form), conditions(form),
        changed if trigger is Trigger.FIELD_CHANGED else None,
        _strings(form, "from_statuses") if trigger is Trigger.STATUS_CHANGED else frozenset(),
        hours if trigger is Trigger.IDLE else None, flag(form, "enabled"),
        existing.position if existing else 10**6, names_of(form))


def macro(form: Any, existing: Macro | None) -> Macro:
    return Macro(existing.id if existing else 0, rule_name(form), actions(form),
                 flag(form, "enabled"), existing.position if existing else 10**6)


# --- a rule as its form ----------------------------------------------------------------------
def _hours(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _action_fields(action: Action) -> dict[str, list[str]]:
    match action:
        case SetStatus(status=status, hold_hours=hours):
            return {"status": [status], "hold_hours": [_hours(hours)]}
        case SetPriority(priority=priority):
            return {"priority": [priority]}
        case SetType(type_code=type_code):
            return {"type": [type_code or CLEAR]}
        case SetResponsible(employee_id=employee, group_id=group):
            return {"responsible": [str(employee or "")], "group": [str(group or "")]}
        case SetLine(line=line):
            return {"line": [str(line)]}
        case AddNote(text=text):
            return {"text": [text]}
        case Notify(text=text, employee_ids=ids, ticket_people=people):
            return {"text": [text], "notify_employees": [str(i) for i in ids],
                    "notify_people": ["1"] if people else []}
        case SendCanned(answer_id=answer):
            return {"canned": [str(answer)]}
        case _:
            assert_never(action)


def _add_actions(form: MultiDict[str], actions: tuple[Action, ...]) -> None:
    for number, action in enumerate(actions, 1):
        form.add(f"a{number}_kind", action.kind)
        for name, values in _action_fields(action).items():
            form.extend((f"a{number}_{name}", v) for v in values)


def _add_conditions(form: MultiDict[str], when: Conditions) -> None:
    for name, values in (("types", when.types), ("priorities", when.priorities),
                         ("channels", when.channels), ("categories", when.categories),
                         ("statuses", when.statuses), ("companies", when.company_ids),
                         ("lines", when.lines)):
        form.extend((name, str(v)) for v in sorted(values))
    if when.attributes:
        form.add("attributes", "\n".join(f"{code}: {', '.join(sorted(values))}"
                                         for code, values in when.attributes.items()))
    if (window := when.registered) is not None:
        if window.weekdays != ALL_WEEKDAYS:
            form.extend(("reg_weekdays", str(d)) for d in sorted(window.weekdays))
        form.add("reg_start", window.start.strftime("%H:%M"))
        form.add("reg_end", window.end.strftime("%H:%M"))
        form.add("reg_timezone", window.timezone or "")


def rule_form(rule: AutomationRule) -> MultiDict[str]:
    """The form that saves this rule as it is."""
    form = MultiDict({"id": str(rule.id), "name": rule.name, "trigger": rule.trigger.value,
                      "idle_hours": _hours(rule.idle_hours) if rule.idle_hours else "",
                      "field": rule.field or ""})
    form.extend(("from_statuses", s) for s in sorted(rule.from_statuses))
    form.extend((f"name_{language}", name) for language, name in rule.names.items())
    _add_conditions(form, rule.when)
    _add_actions(form, rule.actions)
    if rule.enabled:
        form.add("enabled", "1")
    return form


def macro_form(macro: Macro) -> MultiDict[str]:
    form = MultiDict({"id": str(macro.id), "name": macro.name})
    _add_actions(form, macro.actions)
    if macro.enabled:
        form.add("enabled", "1")
    return form


class Typed:
    """A rule or macro form's values, to fill the page in: a saved rule's (rule_form), a new
    one's, or what was typed into a form that was refused or asked for more action rows."""

    def __init__(self, form: Any = None, more: bool = False) -> None:
        self.form = MultiDict({"enabled": "1"}) if form is None else form
        rows = _all_rows(self.form)
        filled = [row for row in rows if not row.blank]
        blank = min(len(rows) - len(filled) + BLANK_ROWS, MAX_ACTIONS) if more else BLANK_ROWS
        self.rows = filled + [EMPTY_ROW] * blank

    def one(self, name: str) -> str:
        return str(self.form.get(name, ""))

    def has(self, name: str, value: object) -> bool:
        return str(value) in self._set(name)

    def choices(self) -> Conditions:
        """The conditions the SLA and routing forms share (settings/_conditions.html)."""
        return Conditions(types=self._set("types"), priorities=self._set("priorities"),
                          channels=self._set("channels"), categories=self._set("categories"))

    def values(self, name: str) -> frozenset[str]:
        """Every value of a field sent several times (a list of checkboxes)."""
        return frozenset(str(v) for v in self.form.getall(name, ()))

    _set = values
