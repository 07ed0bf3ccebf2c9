"""Which contacts are one person's (docs/DOMAIN.md §3.8, §8.2): the contact itself and every
contact sharing a phone number or an e-mail address with it (its own or an extra one kept
as a "phone" / "email" identity); e-mails compare without regard to case."""

from __future__ import annotations

from types import SimpleNamespace
from typing import cast

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import Q

from core.people import EMAIL, PHONE, Contact
from storage import mapping as mp
from storage import models as m
from storage.plain_sql import select, typed


async def load_contact(contact_id: int, conn: BaseDBAsyncClient | None = None
                       ) -> Contact | None:
    """The contact with its identities, in one plain statement (every ticket card asks)."""
    rows = await select(_CONTACT, [contact_id], conn)
    if not rows:
        return None
    first = typed(m.ContactRow, rows[0], ("wants_new_ticket",))
    return mp.contact_from_row(
        SimpleNamespace(**{name: first[name] for name in _CONTACT_FIELDS}),
        [SimpleNamespace(channel=r["channel"], external_id=r["external_id"])
         for r in rows if r["channel"] is not None])


_CONTACT_FIELDS = ("id", "name", "phone", "email", "company_id", "manager_id", "language",
                   "current_ticket_id", "wants_new_ticket")
_CONTACT = (f"SELECT {', '.join(f'c.{name}' for name in _CONTACT_FIELDS)}, i.channel,"
            " i.external_id FROM contacts c LEFT JOIN contact_identities i"
            " ON i.contact_id = c.id WHERE c.id = {} ORDER BY i.id")


async def related_contact_ids(contact: Contact, conn: BaseDBAsyncClient | None = None
                              ) -> list[int]:
    phones, emails = contact.phones, contact.emails
    ids = {contact.id} if contact.id else set()
    if not phones and not emails:
        return sorted(ids)
    rows = Q(id__in=[])
    extra = Q(id__in=[])
    if phones:
        rows |= Q(phone__in=phones)
        extra |= Q(channel=PHONE, external_id__in=phones)
    for email in emails:
        rows |= Q(email__iexact=email)
        extra |= Q(channel=EMAIL, external_id__iexact=email)
    for found in (
        await m.ContactRow.filter(rows).using_db(conn).values_list("id", flat=True),
        await m.IdentityRow.filter(extra).using_db(conn).values_list("contact_id", flat=True),
    ):
        ids.update(cast(list[int], found))
    return sorted(ids)
