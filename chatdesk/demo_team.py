"""The demo desk's team (who is on which line, who leaves) and the canned answers the
administrator sets up."""

from __future__ import annotations

ADMIN_LOGIN, ADMIN_PASSWORD = "admin", "admin"

# login, name, role, line (None: not on a line)
TEAM = [
    (ADMIN_LOGIN, "Dana Whitfield", "admin", None),
    ("irina", "Irina Sokolova", "lead", 2),
    ("tom", "Tom Becker", "specialist", 1),
    ("oleg", "Олег Петров", "specialist", 1),
    ("sara", "سارا احمدی", "specialist", 1),
    ("lena", "Lena Kuznetsova", "specialist", 2),
    ("mark", "Mark Ellis", "specialist", 1),  # leaves the team: deactivated on day 45
]
DEACTIVATED = "mark"
LINE1_BY_LANGUAGE = {"en": ["tom", "tom", "sara", "oleg"], "ru": ["oleg", "oleg", "tom"],
                     "fa": ["sara", "sara", "tom"]}
LINE2 = ["lena", "lena", "irina"]

CANNED = {
    "Order": [
        ("Ask for the order number",
         "Hello {{ client_name }}! To check this, could you send me your order number? "
         "— {{ agent_name }}"),
        ("Order is on its way",
         "{{ client_name }}, your order is on its way and should arrive within two days. "
         "Your request number is #{{ ticket_number }}."),
    ],
    "Screenshot": [
        ("Ask for a screenshot",
         "Hello {{ client_name }}! Could you send a screenshot of the error? It helps us "
         "find the cause faster. — {{ agent_name }}"),
    ],
    "Documents": [
        ("Ask for company details",
         "Hello {{ client_name }}! Please send your company's registration details so we "
         "can issue the documents for request #{{ ticket_number }}."),
        ("Documents sent",
         "{{ client_name }}, the documents for request #{{ ticket_number }} are sent to your "
         "e-mail. — {{ agent_name }}"),
    ],
}

# The demo's names in Russian and Persian (names per language, core/names.py): its groups,
# statuses, canned answer groups and canned answers.
DEMO_NAMES: dict[str, dict[str, str]] = {
    "First line": {"ru": "Первая линия", "fa": "خط اول"},
    "Second line": {"ru": "Вторая линия", "fa": "خط دوم"},
    "In progress": {"ru": "В работе", "fa": "در حال انجام"},
    "Evaluation": {"ru": "На оценке", "fa": "در حال ارزیابی"},
    "Order": {"ru": "Заказ", "fa": "سفارش"},
    "Screenshot": {"ru": "Снимок экрана", "fa": "تصویر صفحه"},
    "Documents": {"ru": "Документы", "fa": "مدارک"},
    "Ask for the order number": {"ru": "Попросить номер заказа", "fa": "درخواست شمارهٔ سفارش"},
    "Order is on its way": {"ru": "Заказ в пути", "fa": "سفارش در راه است"},
    "Ask for a screenshot": {"ru": "Попросить снимок экрана", "fa": "درخواست تصویر صفحه"},
    "Ask for company details": {"ru": "Попросить реквизиты", "fa": "درخواست مشخصات شرکت"},
    "Documents sent": {"ru": "Документы отправлены", "fa": "مدارک فرستاده شد"},
}
