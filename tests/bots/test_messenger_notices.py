"""VK and Viber clients read the administrators' wording of a notice (§7.1, §7.2), in plain
text, inside the design wrapper; without a template, the default wording."""

from __future__ import annotations

from bots.messenger.compose import Composer
from chatdesk.bootstrap import build_desk
from core import commands as c
from core.outbox import Routing
from storage import models as m
from storage.delivery import OutboxStore

ROUTING = Routing(client_channels=frozenset({"vk", "telegram"}), agent_channel="telegram")


async def test_a_vk_client_reads_the_administrators_wording_in_the_wrapper(database: str):
    desk = build_desk(routing=ROUTING)
    admin = (await desk.handle(c.AddEmployee("Ada Admin", "ada", "admin"))).id
    await desk.handle(c.SaveNoticeTemplate(admin, "client.wrapper", "Acme\n{{ content }}"))
    await desk.handle(c.SaveNoticeTemplate(
        admin, "client.status.awaiting_reply", "{{ client.name }}, one detail about <{{ "
        "ticket.subject }}>, please"))
    opened = await desk.handle(c.ClientWrites("vk", "77", "Ivan <b>", "Printer & scanner"))
    await desk.handle(c.ChangeStatus(opened.ticket_id, admin, "awaiting_reply"))
    pending = [p.message for p in await OutboxStore().pending("vk")]
    composer = Composer("en")
    texts = [(await composer.compose(msg)).text for msg in pending]

    assert texts[-1] == "Acme\nIvan <b>, one detail about <Printer & scanner>, please"
    assert "#" in texts[0] and "Acme" not in texts[0]  # no template for it: the default
    assert await m.TicketRow.filter(status="awaiting_reply").count() == 1
