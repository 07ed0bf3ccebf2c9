"""Notice templates (docs/DOMAIN.md §7): an administrator's text per status for the client and per
notification for the team, with variables; the sandbox keeps templates away from Python."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bots.templates import NoticeRenderer, render_notice, template_key
from core import commands as c
from core.errors import InvalidInput
from core.outbox import Audience, OutboundMessage
from core.ports import UnitOfWork
from tests.core.steps import client_writes
from tests.fakes import ANNA, InMemoryStore, InMemoryUnitOfWork, make_desk

NOW = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)


def factory(store: InMemoryStore):  # type: ignore[no-untyped-def]
    def new() -> UnitOfWork:
        return InMemoryUnitOfWork(store)
    return new


def last(store: InMemoryStore, ticket_id: int, kind: str) -> OutboundMessage:
    return [m for m in store.messages_of(ticket_id) if m.kind == kind][-1]


async def test_a_status_notice_uses_the_administrators_text_with_variables() -> None:
    desk, store, _ = make_desk()
    store.rules.notices["client.status.awaiting_reply"] = (
        "{{ client.name }}, we need a detail for #{{ ticket.number }} "
        "({{ ticket.status_name }}).")
    first = await client_writes(desk, name="Ivan <Klientov>")
    await desk.handle(c.ChangeStatus(first.ticket_id, ANNA, "awaiting_reply"))
    message = last(store, first.ticket_id, "status_changed")
    assert await render_notice(message, factory(store)) == (
        f"Ivan &lt;Klientov&gt;, we need a detail for #{first.ticket_id} (Awaiting reply).")
    assert await render_notice(message, factory(store), html=False) == (
        f"Ivan <Klientov>, we need a detail for #{first.ticket_id} (Awaiting reply).")


async def test_without_a_template_the_channel_keeps_its_own_wording() -> None:
    desk, store, _ = make_desk()
    first = await client_writes(desk)
    await desk.handle(c.ChangeStatus(first.ticket_id, ANNA, "awaiting_reply"))
    assert await render_notice(last(store, first.ticket_id, "status_changed"),
                               factory(store)) is None


async def test_a_breach_notification_for_the_team_names_target_and_responsible() -> None:
    desk, store, _ = make_desk()
    store.rules.notices["agents.sla_breached"] = (
        "#{{ ticket.number }} missed its {{ target }} time, {{ responsible.name }}")
    first = await client_writes(desk)
    await desk.handle(c.TakeTicket(first.ticket_id, ANNA))
    breach = OutboundMessage("telegram", Audience.AGENTS, "sla_breached", first.ticket_id, NOW,
                             payload={"target": "reaction", "due_at": NOW.isoformat()})
    assert await render_notice(breach, factory(store)) == (
        f"#{first.ticket_id} missed its reaction time, Anna Petrova")


@pytest.mark.parametrize("body", [
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ ticket.__class__ }}",
    "{{ ticket.items.__self__ }}",
    "{{ 'x' * 1000000 }}",
    "{{ 2 ** 100000 }}",
    "{% for i in range(1000000) %}x{% endfor %}",
    "{{ no_such_variable }}",
    "{{ ticket.subject.format.__globals__ }}",
])
def test_a_template_cannot_reach_python_or_run_away(body: str) -> None:
    assert NoticeRenderer().render(body, {"ticket": {"subject": "s"}}) is None


def test_a_template_that_does_not_parse_is_refused_with_the_reason() -> None:
    with pytest.raises(InvalidInput, match="cannot be read"):
        NoticeRenderer().check("{% if %}")
    NoticeRenderer().check("{% if ticket.line == 2 %}second line{% endif %}")


@pytest.mark.parametrize(("audience", "kind", "payload", "key"), [
    (Audience.CLIENT, "status_changed", {"new": "on_hold"}, "client.status.on_hold"),
    (Audience.CLIENT, "resolution_request", {"new": "resolved"}, "client.status.resolved"),
    (Audience.CLIENT, "ticket_opened", {}, "client.ticket_opened"),
    (Audience.AGENTS, "sla_warning", {}, "agents.sla_warning"),
    (Audience.AGENTS, "notify", {}, "agents.notify"),
])
def test_each_message_has_its_template_key(audience: Audience, kind: str,
                                           payload: dict[str, str], key: str) -> None:
    assert template_key(OutboundMessage("telegram", audience, kind, 1, NOW,
                                        payload=payload)) == key


# --- the design wrapper (§7.2) -------------------------------------------------------------
WRAPPER = "<b>Acme support</b>\n{{ content }}\n— {{ responsible.name or 'the team' }}"


async def test_a_client_notice_is_put_in_the_design_wrapper_and_escaped_once() -> None:
    desk, store, _ = make_desk()
    store.rules.notices["client.status.awaiting_reply"] = "{{ client.name }}, one detail?"
    await desk.handle(c.SaveNoticeTemplate(ANNA, "client.wrapper", WRAPPER))
    first = await client_writes(desk, name="Ivan <K>")
    await desk.handle(c.TakeTicket(first.ticket_id, ANNA))
    await desk.handle(c.ChangeStatus(first.ticket_id, ANNA, "awaiting_reply"))
    message = last(store, first.ticket_id, "status_changed")
    assert await render_notice(message, factory(store)) == (
        "<b>Acme support</b>\nIvan &lt;K&gt;, one detail?\n— Anna Petrova")
    assert await render_notice(message, factory(store), html=False) == (
        "<b>Acme support</b>\nIvan <K>, one detail?\n— Anna Petrova")


async def test_the_wrapper_leaves_the_teams_notices_and_default_wordings_alone() -> None:
    desk, store, _ = make_desk()
    store.rules.notices["client.wrapper"] = WRAPPER
    store.rules.notices["agents.sla_breached"] = "#{{ ticket.number }} is late"
    first = await client_writes(desk)
    breach = OutboundMessage("telegram", Audience.AGENTS, "sla_breached", first.ticket_id, NOW)
    assert await render_notice(breach, factory(store)) == f"#{first.ticket_id} is late"
    await desk.handle(c.ChangeStatus(first.ticket_id, ANNA, "awaiting_reply"))
    assert await render_notice(last(store, first.ticket_id, "status_changed"),
                               factory(store)) is None


async def test_a_failing_wrapper_still_lets_the_notice_through() -> None:
    desk, store, _ = make_desk()
    store.rules.notices["client.wrapper"] = "{{ content }} {{ nobody.knows }}"
    store.rules.notices["client.status.awaiting_reply"] = "One detail?"
    first = await client_writes(desk)
    await desk.handle(c.ChangeStatus(first.ticket_id, ANNA, "awaiting_reply"))
    assert await render_notice(last(store, first.ticket_id, "status_changed"),
                               factory(store)) == "One detail?"


@pytest.mark.parametrize("body", ["<b>Acme</b> {{ ticket.number }}", "{{ contents }}"])
async def test_a_wrapper_without_the_content_placeholder_is_refused(body: str) -> None:
    desk, store, _ = make_desk()
    with pytest.raises(InvalidInput, match="placeholder"):
        NoticeRenderer().check(body, "client.wrapper")
    with pytest.raises(InvalidInput, match="placeholder"):
        await desk.handle(c.SaveNoticeTemplate(ANNA, "client.wrapper", body))
    assert "client.wrapper" not in store.rules.notices
    NoticeRenderer().check("{{- content -}}", "client.wrapper")
