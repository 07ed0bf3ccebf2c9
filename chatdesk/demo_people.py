"""The demo's companies and the clients who write to the desk: names in three languages,
the channels they use, phones, and how a demo contact is made."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from chatdesk.demo_story import Story

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
