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

Translations = Mapping[str, Mapping[str, str]]  # default name → {language: name}
STATUS_NAMES: Translations = {  # as the bots' catalogs say them (bots/locales)
    "Open": {"ru": "Открыто", "fa": "باز"},
    "On hold": {"ru": "Отложено", "fa": "معلق"},
    "Awaiting reply": {"ru": "Ждём ответа", "fa": "در انتظار پاسخ"},
    "Resolved": {"ru": "Решено", "fa": "حل‌شده"},
    "Closed": {"ru": "Закрыто", "fa": "بسته"},
}
PRIORITY_NAMES: Translations = {
    "Low": {"ru": "Низкий", "fa": "کم"},
    "Normal": {"ru": "Обычный", "fa": "عادی"},
    "High": {"ru": "Высокий", "fa": "زیاد"},
    "Urgent": {"ru": "Срочный", "fa": "فوری"},
}
TYPE_NAMES: Translations = {
    "Question": {"ru": "Вопрос", "fa": "پرسش"},
    "Incident": {"ru": "Инцидент", "fa": "رخداد"},
    "Service request": {"ru": "Запрос на обслуживание", "fa": "درخواست خدمت"},
    "Internal task": {"ru": "Внутренняя задача", "fa": "کار داخلی"},
}
RULE_NAMES: Translations = {  # the rules of migration 0004
    "Client replies to Awaiting reply: back to Open": {
        "ru": "Клиент ответил на «Ждём ответа»: снова «Открыто»",
        "fa": "پاسخ مشتری در «در انتظار پاسخ»: بازگشت به «باز»"},
    "Resolved with no client answer for 3 days: Closed": {
        "ru": "«Решено» и клиент молчит 3 дня: «Закрыто»",
        "fa": "«حل‌شده» و بی‌پاسخ از مشتری تا ۳ روز: «بسته»"},
}


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
