"""Reading a recurring schedule (docs/DOMAIN.md §6.3) from its settings form; whether the schedule
can work (a valid cron line, a known time zone) is the core's decision."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from admin_web.forms import flag
from admin_web.rule_forms import FormError, choice, field_text, rule_name
from core.recurring import RecurringSchedule, TicketTemplate


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
    contact = choice(form, "contact_id")
    if contact is None:
        raise FormError("Choose the client the tickets are for")
    zone = str(form.get("timezone", "")).strip()[:64] or desk_zone
    template = TicketTemplate(field_text(form, "subject")[:200], field_text(form, "text"),
                              field_text(form, "type_code") or None,
                              field_text(form, "priority") or None)
    return RecurringSchedule(
        existing.id if existing else 0, rule_name(form),
        " ".join(str(form.get("cron", "")).split()), zone, contact, template,
        _starts_at(form, desk_zone, now),
        existing.last_run_at if existing else None, flag(form, "enabled"),
        existing.position if existing else 10**6)
