"""The ticket list as a tool for the whole day: saved views, sortable columns, bulk actions
with their refusals, word search, channels by name."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from core import commands as c
from tests.admin_web.conftest import Browser, Panel, csrf_of, post, sign_in

_ROW_ID = re.compile(r'<tr><td><input type="checkbox" name="ticket" value="(\d+)"')


async def _ticket(panel: Panel, text: str, external_id: str, name: str = "Client",
                  channel: str = "telegram") -> int:
    result = await panel.desk.handle(c.ClientWrites(channel, external_id, name, text))
    return int(result.ticket_id)


def ids(html: str) -> list[int]:
    """The ticket numbers of the list, in its order."""
    return [int(n) for n in _ROW_ID.findall(html)]


async def _listing(client: Browser, query: str) -> str:
    response = await client.get(f"/tickets?{query}")
    assert response.status == 200
    return await response.text()


async def test_saved_views_show_their_tickets(panel: Panel) -> None:
    mine = await _ticket(panel, "Mine to do", "1")
    free = await _ticket(panel, "Nobody has it", "2")
    late = await _ticket(panel, "Past its due time", "3")
    done = await _ticket(panel, "Already closed", "4")
    await panel.desk.handle(c.AssignTicket(mine, panel.admin_id, panel.lead_id))
    await panel.desk.handle(c.AssignTicket(late, panel.admin_id, panel.agent_id))
    await panel.desk.handle(c.SetTicketField(late, panel.admin_id, "planned_resolution_at",
                                             datetime.now(UTC) - timedelta(hours=2)))
    await panel.desk.handle(c.ChangeStatus(done, panel.admin_id, "closed"))
    client = await panel.client()
    try:
        await sign_in(client, "lea")
        html = await _listing(client, "")
        views = html[html.index('id="saved-views"'):html.index("</nav>", html.index(
            'id="saved-views"'))]
        for title in ("My open", "Unassigned", "Overdue", "All open", "All tickets"):
            assert title in views
        expected = {"mine": [mine], "unassigned": [free], "overdue": [late],
                    "open": [late, free, mine], "all": [done, late, free, mine]}
        for key, tickets in expected.items():
            link = re.search(rf'<a href="([^"]*)" id="view-{key}"', views)
            assert link, key
            page = await _listing(client, link.group(1).partition("?")[2].replace("&amp;", "&"))
            assert ids(page) == tickets, key
            assert f'id="view-{key}" class="on"' in page  # the tab shows which view is on
    finally:
        await client.close()


async def test_every_column_sorts_both_ways_with_ties_by_number(panel: Panel) -> None:
    first = await _ticket(panel, "Banana delivery", "1", "Cora", "vk")
    second = await _ticket(panel, "Apple refund", "2", "Abel", "telegram")
    third = await _ticket(panel, "Cherry invoice", "3", "Bert", "telegram")
    await panel.desk.handle(c.AssignTicket(first, panel.admin_id, panel.agent_id))  # Sam
    await panel.desk.handle(c.AssignTicket(third, panel.admin_id, panel.lead_id))  # Lea
    await panel.desk.handle(c.SetTicketField(first, panel.admin_id, "priority", "high"))
    await panel.desk.handle(c.SetTicketField(second, panel.admin_id, "priority", "low"))
    await panel.desk.handle(c.ChangeStatus(third, panel.admin_id, "resolved"))
    soon = datetime.now(UTC) + timedelta(days=1)
    await panel.desk.handle(c.SetTicketField(second, panel.admin_id, "planned_resolution_at",
                                             soon))
    await panel.desk.handle(c.SetTicketField(first, panel.admin_id, "planned_resolution_at",
                                             soon + timedelta(hours=1)))
    ascending = {
        "id": [first, second, third], "subject": [second, first, third],
        "client": [second, third, first], "status": [first, second, third],
        "priority": await _by_priority(panel, {first: "high", second: "low", third: "normal"}),
        "responsible": [third, first, second],  # Lea, Sam, then nobody
        "channel": [second, third, first],  # telegram before vk, ties by number
        "due": [second, first, third],  # no due time last
        "created": [first, second, third]}
    client = await panel.client()
    try:
        await sign_in(client, "ada")
        html = await _listing(client, "")
        assert ids(html) == [third, second, first]  # newest first by default
        for key, order in ascending.items():
            assert ids(await _listing(client, f"sort={key}")) == order, key
            reverse = ids(await _listing(client, f"sort=-{key}"))
            if key == "due":  # tickets without a due time stay last
                assert reverse == [first, second, third]
            else:
                assert reverse == order[::-1], key
            assert f'data-sort="{key}"' in html
        assert ids(await _listing(client, "sort=evil;drop")) == [third, second, first]
        # a header links to its own sort, reversed once chosen, keeping the filters
        html = await _listing(client, "status=%40open&sort=subject")
        assert 'href="/tickets?status=%40open&amp;sort=-subject"' in html
    finally:
        await client.close()


async def _by_priority(panel: Panel, priorities: dict[int, str]) -> list[int]:
    """The tickets in the order of their priorities' positions in the desk's list."""
    from storage import panel_views as views

    codes = [p.code for p in (await views.reference()).priorities]
    return sorted(priorities, key=lambda t: (codes.index(priorities[t]), t))


async def test_bulk_actions_report_what_changed_and_what_was_refused(panel: Panel) -> None:
    own = await _ticket(panel, "Sam's own", "1")
    other = await _ticket(panel, "Oli's", "2")
    free = await _ticket(panel, "Free one", "3")
    await panel.desk.handle(c.AssignTicket(own, panel.admin_id, panel.agent_id))
    await panel.desk.handle(c.AssignTicket(other, panel.admin_id, panel.other_agent_id))
    client = await panel.client()
    try:
        csrf = await sign_in(client, "sam")
        # Sam may hand over his own ticket, not a colleague's he cannot even see
        page = await client.post("/tickets/bulk", data=[
            ("csrf_token", csrf), ("action", "assign"), ("responsible", str(panel.lead_id)),
            ("ticket", str(own)), ("ticket", str(other)), ("back", "status=%40open")])
        html = await page.text()
        assert page.url.path == "/tickets" and page.url.query.get("status") == "@open"
        assert f"Changed: #{own}." in html
        assert f"Refused: #{other} — No such ticket." in html
        await client.close()
        client = await panel.client()
        csrf = await sign_in(client, "lea")
        html = await (await client.post("/tickets/bulk", data=[
            ("csrf_token", csrf), ("action", "status"), ("status", "on_hold"),
            ("ticket", str(free))])).text()
        assert f"Refused: #{free} — On hold needs a date and time" in html
        html = await (await client.post("/tickets/bulk", data=[
            ("csrf_token", csrf), ("action", "close"), ("ticket", str(free)),
            ("ticket", str(own))])).text()
        assert f"Changed: #{free}, #{own}." in html
        assert ids(await _listing(client, "status=closed")) == [free, own]
        # the summary is in the viewer's language
        await post(client, "/language", csrf, language="ru", next="/tickets")
        html = await (await client.post("/tickets/bulk", data=[
            ("csrf_token", csrf), ("action", "assign"), ("responsible", ""),
            ("ticket", str(other)), ("ticket", "999999")])).text()
        assert f"Изменены: #{other}." in html and "Отказано: #999999" in html
        html = await (await client.post("/tickets/bulk", data=[
            ("csrf_token", csrf), ("action", "close")])).text()
        assert "Сначала выберите заявки." in html
        response = await post(client, "/tickets/bulk", csrf, action="explode", ticket="1")
        assert response.status == 400
    finally:
        await client.close()


async def test_word_search_matches_all_words_in_any_order_and_case(panel: Panel) -> None:
    parcel = await _ticket(panel, "Где мой Заказ номер пять", "1", "Ирина")
    await _ticket(panel, "Заказ отменён", "2", "Пётр")
    english = await _ticket(panel, "Refund for the blue Jacket", "3", "Ann")
    client = await panel.client()
    try:
        await sign_in(client, "ada")
        assert ids(await _listing(client, "q=заказ+где")) == [parcel]
        assert ids(await _listing(client, "q=ЗАКАЗ+ирина")) == [parcel]  # a client's name
        assert len(ids(await _listing(client, "q=заказ"))) == 2
        assert ids(await _listing(client, "q=jacket+REFUND")) == [english]
        assert ids(await _listing(client, "q=jacket+заказ")) == []
        assert ids(await _listing(client, f"q=%23{english}")) == [english]
        html = await _listing(client, "q=blue")  # the search stays in the box
        assert 'name="q" value="blue"' in html
    finally:
        await client.close()


async def test_channels_are_named_and_only_those_in_use_are_offered(panel: Panel) -> None:
    await _ticket(panel, "From VK", "1", channel="vk")
    client = await panel.client()
    try:
        csrf = await sign_in(client, "ada")
        html = await _listing(client, "")
        options = html[html.index('name="channel"'):]
        options = options[:options.index("</select>")]
        assert '<option value="vk" >VK</option>' in options
        assert 'value="viber"' not in options and 'value="email"' not in options
        assert "<td>VK</td>" in html
        await post(client, "/language", csrf, language="fa", next="/tickets")
        html = await _listing(client, "")
        assert "<td>وی‌کی</td>" in html
    finally:
        await client.close()


async def test_every_bulk_checkbox_belongs_to_the_bulk_form(panel: Panel) -> None:
    await _ticket(panel, "One", "1")
    client = await panel.client()
    try:
        await sign_in(client, "ada")
        html = await _listing(client, "")
        boxes = re.findall(r'<input type="checkbox" name="ticket"[^>]*>', html)
        assert boxes and all('form="bulk"' in b for b in boxes)
        assert csrf_of(html)
    finally:
        await client.close()


async def test_a_long_list_says_more_than_and_pages_on_from_the_last_ticket(
        panel: Panel, monkeypatch: pytest.MonkeyPatch) -> None:
    from admin_web import ticket_list

    monkeypatch.setattr(ticket_list, "COUNT_LIMIT", 2)
    monkeypatch.setattr(ticket_list, "PER_PAGE", 2)
    made = [await _ticket(panel, f"Question {n}", str(n), f"C{n}") for n in range(3)]
    client = await panel.client()
    try:
        await sign_in(client, "ada")
        html = await _listing(client, "")
        assert "More than 2 tickets" in html and "Page 1</span>" in html
        assert ids(html) == [made[2], made[1]]
        assert f"page=2&amp;before={made[1]}" in html
        html = await _listing(client, f"page=2&before={made[1]}")
        assert ids(html) == [made[0]] and "Next" not in html.split('class="pager"')[1][:300]
    finally:
        await client.close()
