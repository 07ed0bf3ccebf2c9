"""A long Message-ID and a long e-mail address fit (they failed on PostgreSQL at 100)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from tortoise.exceptions import IntegrityError

from storage import models as m


async def test_a_long_message_id_and_address_are_stored_whole(database: str) -> None:
    message_id = "<" + "a" * 900 + "@mail.example>"
    address = "x" * 240 + "@" + "d" * 60 + ".example"
    await m.InboundRow.create(channel="email", external_id=message_id, payload={},
                              received_at=datetime.now(UTC))
    contact = await m.ContactRow.create(name="Long Address")
    await m.IdentityRow.create(channel="email", external_id=address, contact_id=contact.id)
    assert await m.InboundRow.filter(external_id=message_id).exists()
    assert (await m.IdentityRow.get(external_id=address)).contact_id == contact.id


async def test_the_inbound_log_still_refuses_a_second_copy_of_an_update(database: str) -> None:
    """Its (channel, external_id) uniqueness is what recognises a re-delivery."""
    await m.InboundRow.create(channel="email", external_id="<once@x>", payload={},
                              received_at=datetime.now(UTC))
    with pytest.raises(IntegrityError):
        await m.InboundRow.create(channel="email", external_id="<once@x>", payload={},
                                  received_at=datetime.now(UTC))
    contact = await m.ContactRow.create(name="Once")
    await m.IdentityRow.create(channel="email", external_id="a@x", contact_id=contact.id)
    with pytest.raises(IntegrityError):
        await m.IdentityRow.create(channel="email", external_id="a@x", contact_id=contact.id)
