"""A realistic demo data set, loaded the way real traffic arrives: every change to a ticket is a
command handed to `Desk.handle`, on a clock that walks forward through the last 60 days, so the
history, the metrics and the reports look like a desk that has been working for two months.

The team, groups, custom statuses, canned answers and companies are set up by the commands
the panel uses, acting as the demo administrator. Nothing is queued for the bots: the desk
used here has no channels switched on, so a demo never messages real people. Deterministic
for a given seed and end moment."""

from __future__ import annotations

import heapq
import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from chatdesk.bootstrap import build_desk
from core import commands as c
from core.canned import render
from core.errors import DomainError
from core.outbox import Routing
from core.services import Desk
from core.tickets import Attachment
from storage import admin

log = logging.getLogger(__name__)

DAYS = 60
REOPEN_WINDOW = timedelta(days=7)  # the default of DOMAIN.md §3.4
AUTO_CLOSE_AFTER = timedelta(days=3)  # the default of §2.6
ADMIN_LOGIN, ADMIN_PASSWORD = "admin", "admin"


class DemoClock:
    """The desk's clock while the demo runs: it only moves forward."""

    def __init__(self, start: datetime) -> None:
        self.current = start

    def now(self) -> datetime:
        return self.current

    def move_to(self, when: datetime) -> None:
        self.current = max(self.current, when)


# --- the team and the reference data --------------------------------------------------------

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

# name, category, e-mail domain, responsible manager, language of its people
COMPANIES = [
    ("Northwind Traders", "Client", "northwind.example", None, "en"),
    ("Contoso Retail", "Client", "contoso.example", None, "en"),
    ("Globex Partners", "Partner", "globex.example", "irina", "en"),
    ("Umbrella Logistics", "VIP", "umbrella.example", "tom", "en"),
    ("ООО «Ромашка»", "Client", "romashka.example", None, "ru"),
    ("ТехноСервис", "Partner", "technoservice.example", "oleg", "ru"),
    ("پارس الکترونیک", "VIP", "parselec.example", "sara", "fa"),
    ("Aria Trading", "Client", "aria.example", None, "fa"),
]

# --- people and words -----------------------------------------------------------------------

EN_FIRST = ["James", "Emily", "Michael", "Sophie", "David", "Olivia", "Daniel", "Grace",
            "Ryan", "Chloe", "Nathan", "Hannah", "Lucas", "Mia", "Ethan", "Ava"]
EN_LAST = ["Carter", "Hughes", "Bennett", "Foster", "Reed", "Mitchell", "Turner", "Parker",
           "Collins", "Ward", "Brooks", "Hayes"]
RU_FIRST = [("Алексей", 0), ("Мария", 1), ("Дмитрий", 0), ("Анна", 1), ("Сергей", 0),
            ("Екатерина", 1), ("Андрей", 0), ("Ольга", 1), ("Никита", 0), ("Татьяна", 1)]
RU_LAST = ["Смирнов", "Иванов", "Кузнецов", "Попов", "Волков", "Морозов", "Лебедев",
           "Козлов", "Новиков", "Фёдоров"]
FA_FIRST = ["علی", "مریم", "رضا", "زهرا", "محمد", "فاطمه", "حسین", "نگار", "امیر", "لیلا"]
FA_LAST = ["رضایی", "محمدی", "حسینی", "کریمی", "احمدی", "موسوی", "جعفری", "قاسمی", "صادقی"]
LANGUAGES = ["en", "ru", "fa"]
CHANNELS_BY_LANGUAGE = {"en": [("telegram", 5), ("viber", 3), ("vk", 2)],
                        "ru": [("vk", 5), ("telegram", 4), ("viber", 1)],
                        "fa": [("telegram", 7), ("viber", 3)]}
# One number per demo person: the desk takes a shared phone number for one person (§8.2).
PHONE_FORMAT = {"en": "+1 555 01{key:03d}", "ru": "+7 916 555-{key:04d}",
                "fa": "+98 912 555 {key:04d}"}


@dataclass(frozen=True)
class Topic:
    code: str
    type_code: str
    canned: str  # the canned group an English-speaking agent answers from
    texts: dict[str, str]
    priority: str | None = None


TOPICS = [
    Topic("order", "question", "Order", {
        "en": "Where is my order #{order}?\nIt was supposed to arrive on Monday.",
        "ru": "Где мой заказ №{order}?\nОбещали доставить в понедельник.",
        "fa": "سفارش شماره {order} من کجاست؟\nقرار بود دوشنبه تحویل داده شود."}),
    Topic("charge", "incident", "Order", {
        "en": "I was charged twice for order #{order}\nPlease refund the extra payment.",
        "ru": "С меня дважды списали деньги за заказ №{order}\nВерните, пожалуйста, лишнее.",
        "fa": "برای سفارش {order} دو بار از حسابم پول کم شده است\nلطفاً مبلغ اضافه را برگردانید."},
        priority="high"),
    Topic("login", "incident", "Screenshot", {
        "en": "I can't log in to my account\nIt says 'wrong password' but I reset it yesterday.",
        "ru": "Не могу войти в личный кабинет\nПишет «неверный пароль», хотя вчера я его сменил.",
        "fa": "نمی‌توانم وارد حساب کاربری‌ام شوم\nمی‌گوید رمز اشتباه است، ولی دیروز آن را عوض کردم."}),
    Topic("crash", "incident", "Screenshot", {
        "en": "The app crashes when I open the cart",
        "ru": "Приложение вылетает при открытии корзины",
        "fa": "برنامه هنگام باز کردن سبد خرید بسته می‌شود"}),
    Topic("return", "question", "Order", {
        "en": "How do I return an item?\nThe jacket from order #{order} is too small.",
        "ru": "Как вернуть товар?\nКуртка из заказа №{order} не подошла по размеру.",
        "fa": "چطور می‌توانم کالا را مرجوع کنم؟\nکاپشن سفارش {order} کوچک است."}),
    Topic("address", "request", "Order", {
        "en": "Please change the delivery address for order #{order}",
        "ru": "Измените, пожалуйста, адрес доставки заказа №{order}",
        "fa": "لطفاً آدرس تحویل سفارش {order} را تغییر دهید"}),
    Topic("invoice", "request", "Documents", {
        "en": "Please send an invoice for our company",
        "ru": "Пришлите, пожалуйста, счёт на нашу компанию",
        "fa": "لطفاً برای شرکت ما فاکتور بفرستید"}),
    Topic("damaged", "incident", "Screenshot", {
        "en": "The parcel arrived damaged\nThe box was torn and the mug is broken.",
        "ru": "Посылка пришла повреждённой\nКоробка порвана, кружка разбита.",
        "fa": "بسته آسیب‌دیده به دستم رسید\nجعبه پاره بود و لیوان شکسته است."}),
    Topic("promo", "question", "Screenshot", {
        "en": "My promo code doesn't work",
        "ru": "Не работает промокод",
        "fa": "کد تخفیف من کار نمی‌کند"}),
    Topic("api", "incident", "Screenshot", {
        "en": "The API returns error 500 on /orders\nSince 10:00 every call fails.",
        "ru": "API возвращает ошибку 500 на /orders\nС 10:00 все запросы падают.",
        "fa": "API در مسیر /orders خطای 500 می‌دهد\nاز ساعت 10 همه درخواست‌ها خطا دارند."},
        priority="urgent"),
]

CLIENT_SAYS = {
    "details": {"en": "Order number is {order}, here is a screenshot.",
                "ru": "Номер заказа {order}, прикладываю скриншот.",
                "fa": "شماره سفارش {order} است، تصویر صفحه را هم فرستادم."},
    "news": {"en": "Any news?", "ru": "Есть новости?", "fa": "خبر جدیدی هست؟"},
    "again": {"en": "It happened again, the problem is back.",
              "ru": "Опять то же самое, проблема вернулась.",
              "fa": "دوباره همان مشکل پیش آمد."},
    "offer": {"en": "We have reviewed the offer, let's go ahead.",
              "ru": "Посмотрели предложение, давайте делать.",
              "fa": "پیشنهاد را بررسی کردیم، ادامه دهید."},
}
AGENT_SAYS = {
    "ask": {"ru": "{client}, здравствуйте! Уточните номер заказа или пришлите скриншот.",
            "fa": "{client} عزیز، سلام! لطفاً شماره سفارش یا تصویر صفحه را بفرستید."},
    "working": {"en": "Thanks, {client}. I'm looking into it and will get back to you soon.",
                "ru": "Спасибо, {client}. Разбираюсь, скоро вернусь с ответом.",
                "fa": "ممنون {client}. در حال بررسی هستم و به‌زودی پاسخ می‌دهم."},
    "solved": {"en": "Done: it is fixed on our side. Please check and let us know, {client}.",
               "ru": "Готово, на нашей стороне всё исправили. Проверьте, пожалуйста.",
               "fa": "انجام شد، مشکل از سمت ما برطرف شد. لطفاً بررسی کنید."},
    "hold": {"en": "We are waiting for the warehouse; I'll be back to you by "
                   "{until:%d.%m %H:%M}.",
             "ru": "Ждём ответа склада, вернусь к вам до {until:%d.%m %H:%M}.",
             "fa": "منتظر پاسخ انبار هستیم، تا {until:%d.%m %H:%M} به شما خبر می‌دهم."},
    "line2": {"en": "I've passed your request to our second-line engineers.",
              "ru": "Передал ваш вопрос инженерам второй линии.",
              "fa": "درخواست شما را به کارشناسان خط دوم ارجاع دادم."},
    "offer": {"en": "We've sent you an offer; take your time to evaluate it.",
              "ru": "Отправили вам предложение, оцените его, пожалуйста.",
              "fa": "پیشنهاد را برایتان فرستادیم، لطفاً آن را بررسی کنید."},
}
NOTES = ["Checked the payment gateway: the second charge is a pending authorisation.",
         "Warehouse says the parcel is at the sorting centre.",
         "Reproduced on Android 14, app version 5.2.1.",
         "Client called as well, same question.",
         "Fixed by the hotfix deployed this afternoon."]
LINE2_NOTES = ["Found it: a timeout in the orders service, restarted the worker.",
               "Database index was missing on orders.created_at, added it.",
               "Needs a change on the first line side: tell the client to update the app."]
RATING_COMMENTS = {5: {"en": "Fast and friendly, thanks!", "ru": "Быстро и вежливо, спасибо!",
                       "fa": "سریع و دوستانه، ممنون!"},
                   2: {"en": "Took far too long.", "ru": "Слишком долго.",
                       "fa": "خیلی طول کشید."}}
SPAM = "Earn $5000 a week from home!!! Click the link in my profile"


# --- the plan -------------------------------------------------------------------------------


@dataclass
class DemoContact:
    key: int
    name: str
    language: str
    channel: str
    external_id: str
    phone: str | None = None
    company: int | None = None  # index into COMPANIES
    email: str | None = None
    id: int | None = None  # known once the first message created the contact
    current_ticket: int | None = None  # mirrors the core: where the next message goes
    current_story: Story | None = None


@dataclass
class Story:
    """One ticket's life as a list of timed steps; steps past the end moment are never run,
    so recent tickets stay in the middle of their story (open, on hold, awaiting reply)."""

    no: int
    kind: str
    contact: DemoContact
    topic: Topic
    agent: str
    line2: str
    rng: random.Random
    t: datetime
    end: datetime
    order: int
    agent_is_responsible: bool = False
    steps: list[tuple[datetime, Callable[[], Awaitable[None]]]] = field(default_factory=list)
    ticket_id: int | None = None
    closed_at: datetime | None = None
    cut: bool = False

    def add(self, delay: timedelta, action: Callable[[], Awaitable[None]],
            working: bool = False) -> bool:
        when = self.t + delay
        if working:
            when = working_time(when, self.rng)
        if self.cut or when >= self.end:
            self.cut = True
            return False
        self.t = when
        self.steps.append((when, action))
        return True

    def minutes(self, low: float, high: float) -> timedelta:
        return timedelta(minutes=self.rng.uniform(low, high))

    def hours(self, low: float, high: float) -> timedelta:
        return timedelta(hours=self.rng.uniform(low, high))


def working_time(when: datetime, rng: random.Random) -> datetime:
    """Agents answer 08:00-20:00, Monday to Saturday (UTC, for simplicity)."""
    if when.hour >= 20:
        when = (when + timedelta(days=1)).replace(hour=8, minute=0)
        when += timedelta(minutes=rng.uniform(0, 50))
    elif when.hour < 8:
        when = when.replace(hour=8, minute=0) + timedelta(minutes=rng.uniform(0, 50))
    if when.weekday() == 6:
        when = (when + timedelta(days=1)).replace(hour=8) + timedelta(minutes=rng.uniform(0, 40))
    return when


def make_contacts(rng: random.Random, count: int) -> list[DemoContact]:
    contacts: list[DemoContact] = []
    for key in range(count):
        language = LANGUAGES[key] if key < len(LANGUAGES) else rng.choices(LANGUAGES,
                                                                           [45, 35, 20])[0]
        if language == "en":
            first, last = rng.choice(EN_FIRST), rng.choice(EN_LAST)
            name, slug = f"{first} {last}", f"{first}.{last}".lower()
        elif language == "ru":
            (first, female), last = rng.choice(RU_FIRST), rng.choice(RU_LAST)
            name, slug = f"{first} {last}{'а' if female else ''}", f"client{key}"
        else:
            name, slug = f"{rng.choice(FA_FIRST)} {rng.choice(FA_LAST)}", f"client{key}"
        options, weights = zip(*CHANNELS_BY_LANGUAGE[language], strict=True)
        channel = rng.choices(options, weights)[0]
        if channel == "telegram":
            external_id = str(rng.randint(100_000_000, 6_999_999_999))
        elif channel == "vk":
            external_id = str(rng.randint(1_000_000, 899_999_999))
        else:
            external_id = "".join(rng.choices("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
                                              "0123456789", k=22)) + "=="
        phone = (PHONE_FORMAT[language].format(key=key)
                 if channel != "vk" and rng.random() < 0.3 else None)
        companies = [i for i, company in enumerate(COMPANIES) if company[4] == language]
        company = rng.choice(companies) if rng.random() < 0.55 else None
        email = f"{slug}@{COMPANIES[company][2]}" if company is not None else None
        contacts.append(DemoContact(key, name, language, channel, external_id, phone,
                                    company, email))
    return contacts


# How tickets go, by weight. Older tickets are mostly simple ones (and cheaper to load);
# the last weeks get the whole range, and the last days some of each unfinished state.
KINDS = {"quick": 24, "dialog": 18, "progress": 12, "hold": 8, "escalated": 12,
         "reopened": 9, "evaluation": 5, "phone": 5, "internal": 4, "spam": 3}
OLD_KINDS = {"quick": 60, "dialog": 12, "progress": 5, "hold": 3, "escalated": 7,
             "reopened": 5, "evaluation": 1, "phone": 3, "internal": 2, "spam": 2}
OLD_AFTER = timedelta(days=21)
# The newest tickets, newest first: one of each unfinished state the panel should show.
RECENT_MIX = ["waiting", "hold", "unconfirmed", "progress", "escalated", "evaluation",
              "dialog", "hold", "waiting", "unconfirmed"]
RECENT = timedelta(days=3)


def registration_time(rng: random.Random, start: datetime, end: datetime) -> datetime:
    """Busier on weekdays and in the daytime, like a real inbox."""
    while True:  # half spread evenly, half growing towards today: a desk that gets busier
        share = rng.random() if rng.random() < 0.5 else rng.random() ** 0.5
        day = start + timedelta(days=share * DAYS)
        if day.weekday() >= 5 and rng.random() < 0.5:
            continue
        hour = min(23.9, max(0.0, rng.gauss(13, 4)))
        when = day.replace(hour=int(hour), minute=int(hour % 1 * 60),
                           second=rng.randint(0, 59), microsecond=0)
        if start <= when < end - timedelta(minutes=30):
            return when


# --- running it -------------------------------------------------------------------------------


@dataclass
class DemoResult:
    tickets: int = 0
    contacts: int = 0
    commands: int = 0
    failed_steps: int = 0
    admin_created: bool = False
    skipped: bool = False
    existing_tickets: int = 0


class DemoLoader:
    def __init__(self, desk: Desk, clock: DemoClock, seed: int, end: datetime) -> None:
        self.desk, self.clock, self.seed, self.end = desk, clock, seed, end
        self.start = end - timedelta(days=DAYS)
        self.ids: dict[str, int] = {}
        self.names: dict[str, str] = {}
        self.line_groups: dict[int, int] = {}
        self.companies: list[int] = []
        self.admin_id = 0
        self.canned: dict[str, list[tuple[str, str]]] = CANNED
        self.result = DemoResult()

    async def handle(self, command: c.Command) -> Any:
        self.result.commands += 1
        return await self.desk.handle(command)

    # -- reference data and the team --------------------------------------------------------
    async def prepare(self) -> None:
        """The team, then what an administrator sets up in the panel, by the same commands;
        what already exists (by name or code) is kept as it is."""
        from admin_web.passwords import hash_password

        for login, name, role, _ in TEAM:
            existing = await admin.employee_by_login(login)
            if existing is None:
                password = hash_password(ADMIN_PASSWORD) if login == ADMIN_LOGIN else None
                existing = await self.handle(c.AddEmployee(name, login, role,
                                                           password_hash=password))
                self.result.admin_created |= login == ADMIN_LOGIN
            self.ids[login], self.names[login] = existing.id, existing.name
        self.admin_id = await self.acting_admin()
        known = await admin.reference_names()
        for line, name in ((1, "First line"), (2, "Second line")):
            members = tuple(self.ids[login] for login, *_, on in TEAM if on == line)
            notify = (self.ids["tom" if line == 1 else "irina"],)
            self.line_groups[line] = known.groups.get(name) or (await self.handle(
                c.SaveGroup(self.admin_id, 0, name, members, notify))).id
        for code, name, color, pauses in (("in_progress", "In progress", "#00838f", False),
                                          ("evaluation", "Evaluation", "#ad1457", True)):
            if code not in known.statuses:
                await self.handle(c.SaveStatus(self.admin_id, code, name, "open", pauses,
                                               color=color))
        for group, answers in CANNED.items():
            group_id = known.canned_groups.get(group) or (await self.handle(
                c.SaveCannedGroup(self.admin_id, 0, group))).id
            for title, body in answers:
                if (group_id, title) not in known.canned_answers:
                    await self.handle(c.SaveCannedAnswer(self.admin_id, 0, group_id, title,
                                                         body))
        for name, category, domain, manager, _ in COMPANIES:
            self.companies.append(known.companies.get(name) or (await self.handle(
                c.SaveCompany(self.admin_id, 0, name, category,
                              self.ids[manager] if manager else None, domain))).id)

    async def acting_admin(self) -> int:
        """Who sets the desk up: the demo administrator, or any active one."""
        team = await admin.list_employees()
        admins = sorted(e.id for e in team if e.role.value == "admin" and e.active)
        if not admins:
            raise DomainError("the demo needs an active administrator to set the desk up")
        return self.ids[ADMIN_LOGIN] if self.ids[ADMIN_LOGIN] in admins else admins[0]

    async def link_to_company(self, contact: DemoContact) -> None:
        """An administrator files the new contact under their company (§8.2)."""
        assert contact.id is not None and contact.company is not None
        known = await admin.contact(contact.id)
        await self.handle(c.SaveContact(
            self.admin_id, contact.id, known.name, known.phone, contact.email,
            self.companies[contact.company], known.manager_id))

    # -- planning ---------------------------------------------------------------------------
    def plan(self, count: int) -> list[Story]:
        rng = random.Random(self.seed)
        contacts = make_contacts(rng, min(120, max(1, count * 2 // 5)))
        times = sorted(registration_time(rng, self.start, self.end) for _ in range(count))
        order = list(range(len(contacts))) + [rng.randrange(len(contacts))
                                              for _ in range(max(0, count - len(contacts)))]
        order[:len(contacts)] = rng.sample(order[:len(contacts)], len(contacts))
        returning = [key in order[:i] for i, key in enumerate(order)]
        kinds = [rng.choices(list(table), list(table.values()))[0] for table in
                 (OLD_KINDS if self.end - t > OLD_AFTER else KINDS for t in times)]
        self.every_kind_once(kinds, times, returning, rng)
        recent = [i for i in reversed(range(count)) if self.end - times[i] < RECENT]
        step = 2 if len(recent) >= 2 * len(RECENT_MIX) else 1
        for i, kind in zip(recent[::step], RECENT_MIX, strict=False):
            kinds[i] = kind
        stories = []
        for no, (t, kind, key) in enumerate(zip(times, kinds, order, strict=True)):
            if kind in ("phone", "internal") and not returning[no]:
                kind = "quick"  # an agent registers tickets only for clients we know
            stories.append(self.story(no, kind, contacts[key], t, returning[no]))
        return stories

    def every_kind_once(self, kinds: list[str], times: list[datetime], returning: list[bool],
                        rng: random.Random) -> None:
        """Even a small demo has one ticket of each kind, finished well before the end."""
        settled = [i for i, t in enumerate(times) if self.end - t > timedelta(days=10)]
        for kind in KINDS:
            if kind in kinds:
                continue
            fits = [i for i in settled if kinds.count(kinds[i]) > 1
                    and (returning[i] or kind not in ("phone", "internal"))]
            if fits:
                kinds[rng.choice(fits)] = kind

    def story(self, no: int, kind: str, contact: DemoContact, t: datetime,
              known: bool) -> Story:
        rng = random.Random(f"{self.seed}:{no}")
        topic = rng.choice(TOPICS)
        agent = rng.choice(LINE1_BY_LANGUAGE[contact.language])
        if (kind in ("quick", "dialog") and contact.language == "en"
                and t < self.start + timedelta(days=25) and rng.random() < 0.4):
            agent = DEACTIVATED
        manager = COMPANIES[contact.company][3] if contact.company is not None else None
        story = Story(no, kind, contact, topic, agent, rng.choice(LINE2), rng, t, self.end,
                      rng.randint(100_000, 999_999))
        if manager and known:  # the ticket opens with the company's manager responsible
            story.agent, story.agent_is_responsible = manager, True
        Script(self, story).play()
        if not story.steps:  # registered by an agent after hours, past the end: a client
            story = Story(no, "quick", contact, topic, story.agent, story.line2, rng, t,
                          self.end, story.order, story.agent_is_responsible)
            Script(self, story).play()
        return story

    async def run(self, count: int) -> None:
        stories = self.plan(count)
        queue: list[tuple[datetime, int, int, Callable[[], Awaitable[None]]]] = []
        for story in stories:
            for i, (when, action) in enumerate(story.steps):
                queue.append((when, story.no, i, action))
        leave_at = self.start + timedelta(days=45)
        queue.append((leave_at, -1, 0, self.deactivate_leaver))
        heapq.heapify(queue)
        broken: set[int] = set()
        while queue:
            when, story_no, _, action = heapq.heappop(queue)
            if story_no in broken:
                continue
            self.clock.move_to(when)
            try:
                await action()
            except DomainError as exc:  # a story that went off the rails: stop it, go on
                log.warning("demo story %d stopped at %s: %s", story_no, when, exc.message)
                self.result.failed_steps += 1
                broken.add(story_no)
        self.result.tickets = sum(1 for s in stories if s.ticket_id)
        self.result.contacts = len({s.contact.key for s in stories if s.contact.id})

    async def deactivate_leaver(self) -> None:
        await self.handle(c.SetEmployeeActive(self.ids[DEACTIVATED], False))


class Script:
    """The steps of one story, by kind. Every helper schedules one command."""

    def __init__(self, loader: DemoLoader, story: Story) -> None:
        self.loader, self.s = loader, story
        self.lang = story.contact.language

    # -- what people do ---------------------------------------------------------------------
    def client(self, delay: timedelta, text: str, photo: bool = False) -> None:
        s, loader = self.s, self.loader
        files = (Attachment("photo", f"demo-photo-{s.no}", "screenshot.png", "image/png",
                            184_320),) if photo else ()
        text = text.format(order=s.order)

        async def act() -> None:
            contact = s.contact
            if s.ticket_id is None and contact.id is not None and self.wants_new(contact):
                await loader.handle(c.ClientStartsNewTicket(contact.id))
            elif s.ticket_id is not None and contact.current_ticket != s.ticket_id:
                assert contact.id is not None
                await loader.handle(c.ClientPicksTicket(contact.id, s.ticket_id))
            result = await loader.handle(c.ClientWrites(
                contact.channel, contact.external_id, contact.name, text, files,
                contact.language, contact.phone))
            if contact.id is None:
                contact.id = result.contact_id
                if contact.company is not None:
                    await loader.link_to_company(contact)
            s.ticket_id, s.closed_at = s.ticket_id or result.ticket_id, None
            contact.current_ticket, contact.current_story = result.ticket_id, s
        s.add(delay, act)

    def wants_new(self, contact: DemoContact) -> bool:
        """A client who comes back long after their last ticket was closed just writes, and
        gets a new ticket linked to the old one (§3.4); otherwise they ask for a new one."""
        last = contact.current_story
        return not (last and last.closed_at
                    and self.loader.clock.now() - last.closed_at > REOPEN_WINDOW)

    def employee(self, delay: timedelta, build: Callable[[int], c.Command]) -> None:
        s, loader = self.s, self.loader

        async def act() -> None:
            assert s.ticket_id is not None
            await loader.handle(build(s.ticket_id))
        s.add(delay, act, working=True)

    def take(self, delay: timedelta) -> None:
        s, ids = self.s, self.loader.ids
        if s.agent_is_responsible:
            return
        if s.rng.random() < 0.3:  # the lead hands it out
            self.employee(delay, lambda t: c.AssignTicket(t, ids["irina"], ids[s.agent],
                                                          self.loader.line_groups.get(1)))
        else:
            self.employee(delay, lambda t: c.TakeTicket(t, ids[s.agent]))

    def reply(self, delay: timedelta, key: str, who: str | None = None, resolve: bool = False,
              values: dict[str, Any] | None = None) -> None:
        """`values` may be filled in after planning this step (a date planned later)."""
        login = who or self.s.agent
        template, agent_id = self.agent_text(key, login), self.loader.ids[login]

        def build(ticket_id: int) -> c.Command:
            text = render(template.format(**(values or {})), {"ticket_number": ticket_id})
            return c.AddAgentReply(ticket_id, agent_id, text, resolve=resolve)
        self.employee(delay, build)

    def note(self, delay: timedelta, text: str, who: str | None = None) -> None:
        agent_id = self.loader.ids[who or self.s.agent]
        self.employee(delay, lambda t: c.AddPrivateNote(t, agent_id, text))

    def status(self, delay: timedelta, status: str) -> None:
        agent_id = self.loader.ids[self.s.agent]
        self.employee(delay, lambda t: c.ChangeStatus(t, agent_id, status))

    def field(self, name: str, value: str) -> None:
        agent_id = self.loader.ids[self.s.agent]
        self.employee(self.s.minutes(0.2, 2), lambda t: c.SetTicketField(t, agent_id, name,
                                                                          value))

    def system(self, delay: timedelta, status: str) -> None:
        """What the timers will do (issue 4): resume from hold, auto-close a resolution."""
        s = self.s

        async def act() -> None:
            assert s.ticket_id is not None
            await self.loader.handle(c.ChangeStatus(s.ticket_id, None, status))
            if status == "closed":
                s.closed_at = self.loader.clock.now()
        s.add(delay, act)

    def client_action(self, delay: timedelta, build: Callable[[int, int], c.Command],
                      closes: bool = False) -> None:
        s = self.s

        async def act() -> None:
            assert s.ticket_id is not None and s.contact.id is not None
            await self.loader.handle(build(s.contact.id, s.ticket_id))
            if closes:
                s.closed_at = self.loader.clock.now()
        s.add(delay, act)

    def agent_text(self, key: str, login: str) -> str:
        """A canned answer (English) or a phrase in the client's language, as a str.format
        template: what is left to fill is `{until}`-style values, then {{ ticket_number }}."""
        name = self.s.contact.name
        if self.lang == "en" and key == "ask":
            _, body = self.s.rng.choice(self.loader.canned[self.s.topic.canned])
            text = render(body, {"client_name": name, "agent_name": self.loader.names[login]})
            return text.replace("{", "{{").replace("}", "}}")
        text = AGENT_SAYS[key].get(self.lang, AGENT_SAYS[key].get("en", ""))
        return text.replace("{client}", name.replace("{", "{{").replace("}", "}}"))

    # -- stories ----------------------------------------------------------------------------
    def play(self) -> None:
        getattr(self, f"story_{self.s.kind}")()

    def opening(self) -> None:
        s = self.s
        self.client(timedelta(0), s.topic.texts[self.lang])
        if s.rng.random() < 0.2:
            self.client(s.minutes(1, 10), CLIENT_SAYS["details"][self.lang], photo=True)

    def reaction(self) -> None:
        s = self.s
        self.take(s.minutes(3, 30) if s.rng.random() < 0.7 else s.hours(0.5, 5))
        if s.rng.random() < 0.7:
            self.field("type_code", s.topic.type_code)
        if s.topic.priority or (s.contact.company is not None
                                and COMPANIES[s.contact.company][1] == "VIP"):
            self.field("priority", s.topic.priority or "high")

    def finish(self) -> None:
        s, roll = self.s, self.s.rng.random()
        if roll < 0.6:
            score = s.rng.choices([5, 4, 3, 2, 1], [45, 25, 15, 8, 7])[0]
            comment = RATING_COMMENTS.get(score, {}).get(self.lang) if s.rng.random() < 0.5 \
                else None
            self.client_action(s.hours(0.2, 60), lambda contact, t: c.ClientRatesTicket(
                contact, t, score, comment), closes=True)
        elif roll < 0.75:
            self.client_action(s.hours(1, 30), c.ClientClosesTicket, closes=True)
        else:
            self.system(AUTO_CLOSE_AFTER, "closed")

    def story_quick(self) -> None:
        self.opening()
        self.reaction()
        self.reply(self.s.minutes(2, 25), "solved", resolve=True)
        self.finish()

    def story_dialog(self) -> None:
        s = self.s
        self.opening()
        self.reaction()
        self.reply(s.minutes(1, 5), "ask")
        self.status(s.minutes(0.2, 1), "awaiting_reply")
        if s.rng.random() < 0.25:  # the client never answers: closed a week later
            self.note(timedelta(days=7), "No answer from the client for a week, closing.")
            self.status(s.minutes(0.2, 1), "closed")
            return
        self.client(s.minutes(10, 1500), CLIENT_SAYS["details"][self.lang], photo=True)
        if s.rng.random() < 0.5:
            self.note(s.minutes(5, 60), s.rng.choice(NOTES))
        self.reply(s.minutes(10, 120), "solved", resolve=True)
        self.finish()

    def story_progress(self) -> None:
        s = self.s
        self.opening()
        self.reaction()
        self.status(s.minutes(1, 3), "In progress")
        self.reply(s.minutes(0.5, 2), "working")
        self.note(s.hours(1, 6), s.rng.choice(NOTES))
        if s.rng.random() < 0.4:
            self.client(s.hours(2, 20), CLIENT_SAYS["news"][self.lang])
        self.reply(s.hours(2, 200), "solved", resolve=True)
        self.finish()

    def story_unconfirmed(self) -> None:
        """Resolved; the client has not confirmed yet (auto-closed after three days)."""
        self.opening()
        self.reaction()
        self.reply(self.s.minutes(2, 25), "solved", resolve=True)
        self.system(AUTO_CLOSE_AFTER, "closed")

    def story_waiting(self) -> None:
        """Just arrived: nobody has taken it yet."""
        self.opening()

    def story_hold(self) -> None:
        s = self.s
        self.opening()
        self.reaction()
        plan: dict[str, Any] = {}
        self.reply(s.minutes(2, 20), "hold", values=plan)
        agent_id = self.loader.ids[s.agent]
        self.employee(s.minutes(0.2, 1),
                      lambda t: c.ChangeStatus(t, agent_id, "on_hold", plan["until"]))
        if s.end - s.t < timedelta(days=5):  # a recent one still waits: until next week
            until = working_time(s.end + timedelta(days=s.rng.uniform(1, 4)), s.rng)
        else:
            until = working_time(s.t + timedelta(days=s.rng.randint(1, 5)), s.rng)
        plan["until"] = until
        self.system(until - s.t, "open")
        self.reply(s.minutes(5, 90), "solved", resolve=True)
        self.finish()

    def story_escalated(self) -> None:
        s = self.s
        self.opening()
        self.reaction()
        self.note(s.minutes(5, 40), f"@{s.line2} could you look at the server logs for this?")
        self.reply(s.minutes(0.5, 2), "line2")
        agent_id, group = self.loader.ids[s.agent], self.loader.line_groups[2]
        self.employee(s.minutes(0.2, 1), lambda t: c.Escalate(t, agent_id, group))
        line2_id = self.loader.ids[s.line2]
        self.employee(s.minutes(10, 300), lambda t: c.TakeTicket(t, line2_id))
        self.note(s.hours(0.5, 60), s.rng.choice(LINE2_NOTES), who=s.line2)
        if s.rng.random() < 0.6:
            self.reply(s.minutes(5, 60), "solved", who=s.line2, resolve=True)
        else:
            self.employee(s.minutes(1, 5), lambda t: c.Deescalate(t, line2_id))
            self.reply(s.minutes(10, 120), "solved", resolve=True)
        self.finish()

    def story_reopened(self) -> None:
        s = self.s
        self.opening()
        self.reaction()
        self.reply(s.minutes(5, 40), "solved", resolve=True)
        if s.rng.random() < 0.4:  # closed, then back within the reopen window
            self.client_action(s.hours(1, 10), c.ClientClosesTicket, closes=True)
            self.client(timedelta(days=s.rng.uniform(1, 5)), CLIENT_SAYS["again"][self.lang])
        else:
            self.client(s.hours(2, 40), CLIENT_SAYS["again"][self.lang])
        self.reply(s.minutes(5, 60), "working")
        self.reply(s.hours(1, 20), "solved", resolve=True)
        self.finish()

    def story_evaluation(self) -> None:
        s = self.s
        self.opening()
        self.reaction()
        self.reply(s.minutes(10, 90), "offer")
        self.status(s.minutes(0.2, 1), "Evaluation")
        self.client(timedelta(days=s.rng.uniform(1, 6)), CLIENT_SAYS["offer"][self.lang])
        self.reply(s.minutes(10, 120), "solved", resolve=True)
        self.finish()

    def registered_by_agent(self, subject: str, type_code: str, text: str) -> None:
        s, loader = self.s, self.loader
        agent_id = loader.ids[s.agent]

        async def act() -> None:
            if s.contact.id is None:
                raise DomainError(f"contact {s.contact.name} has not written yet")
            ticket = await loader.handle(c.OpenTicketForClient(
                agent_id, s.contact.id, subject, text, type_code))
            s.ticket_id = ticket.id
        s.add(timedelta(0), act, working=True)

    def story_phone(self) -> None:
        s = self.s
        first_line = s.topic.texts["en"].split("\n")[0].format(order=s.order)
        self.registered_by_agent(f"Phone call: {first_line}", "request",
                                 "Client called the hotline, details below.")
        self.reply(s.minutes(5, 60), "solved", resolve=True)
        self.system(AUTO_CLOSE_AFTER, "closed")

    def story_internal(self) -> None:
        s = self.s
        month = s.t.strftime("%B")
        subject = s.rng.choice([f"Invoice for {s.contact.name}, {month}",
                                f"Prepare contract renewal for {s.contact.name}",
                                f"Check the returned item from {s.contact.name}"])
        self.registered_by_agent(subject, "internal", "Internal task, not visible to the client.")
        self.status(s.minutes(5, 60), "In progress")
        self.note(s.hours(1, 24), "Done, attached to the client's card.")
        self.status(s.hours(1, 48), "resolved")
        self.status(s.hours(1, 24), "closed")

    def story_spam(self) -> None:
        s = self.s
        self.client(timedelta(0), SPAM)
        self.note(s.minutes(5, 120), "Spam, closing without an answer.")
        self.status(s.minutes(0.2, 1), "closed")


# --- the entry point --------------------------------------------------------------------------


async def load_demo(tickets: int = 300, seed: int = 1, *, if_empty: bool = False,
                    end: datetime | None = None) -> DemoResult:
    """Load the demo set into the open database. Refuses (DomainError) when tickets exist,
    unless `if_empty`, which then does nothing."""
    existing = await admin.count_tickets()
    if existing:
        if if_empty:
            return DemoResult(skipped=True, existing_tickets=existing)
        raise DomainError(f"the database already has {existing} tickets; demo data goes into "
                          "an empty database (use --if-empty to skip quietly)")
    end = (end or datetime.now(UTC)).replace(second=0, microsecond=0)
    clock = DemoClock(end - timedelta(days=DAYS + 1))
    loader = DemoLoader(build_desk(clock=clock, routing=Routing()), clock, seed, end)
    await admin.relax_durability_for_bulk_load()
    await loader.prepare()
    await loader.run(tickets)
    return loader.result
