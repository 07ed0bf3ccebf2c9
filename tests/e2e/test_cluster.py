"""Two `chatdesk run` processes on one PostgreSQL database, with Telegram's flood limits on
both sides (compressed time): clients write in a burst, the leader is killed with SIGKILL
in the middle, and every message reaches the agents' group once, with no 429 answer."""

from __future__ import annotations

import asyncio
import re
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from emulators.telegram.emulator import TelegramEmulator
from emulators.telegram.limits import RateLimits
from storage import models as m
from tests.e2e.cluster import AGENT_CHAT, PUBLIC, TOKEN, Cluster, running_cluster

SCALE = 60.0  # emulated seconds per real second, on both sides
MARK = re.compile(r"\[m\d+\]")


@pytest.fixture
async def emulator(postgres_database: str) -> AsyncIterator[TelegramEmulator]:
    emulator = TelegramEmulator(token=TOKEN, rate_limits=RateLimits().scaled(SCALE))
    await emulator.start()
    emulator.create_supergroup("Support team", chat_id=AGENT_CHAT, forum=True)
    try:
        yield emulator
    finally:
        await emulator.stop()


def marks_in_group(emulator: TelegramEmulator) -> Counter[str]:
    """In how many posts of the agents' group each message's mark shows (a merged post
    carries several; a ticket's card shows its first message in the subject too)."""
    return Counter(mark for msg in emulator.messages(AGENT_CHAT)
                   for mark in set(MARK.findall(msg.text or msg.caption or "")))


async def burst(emulator: TelegramEmulator, clients: list[int], rounds: int,
                first: int = 0) -> list[str]:
    marks = []
    for round_ in range(rounds):
        for user in clients:
            mark = f"[m{first + len(marks)}]"
            marks.append(mark)
            emulator.inject_private_message(user, f"Question {round_} {mark}")
        await asyncio.sleep(0.2)
    return marks


async def marks_in_flight() -> set[str]:
    """The messages of the rows a relay has claimed and not recorded yet: right after the
    leader is killed (its lease has not run out), what it was sending."""
    rows = await m.OutboxRow.filter(state="pending", claimed_by__not_isnull=True)
    comments = {r.comment_id for r in rows if r.comment_id}
    tickets = {r.ticket_id for r in rows if not r.comment_id}
    bodies = await m.CommentRow.filter(id__in=comments).values_list("body", flat=True)
    bodies += await m.CommentRow.filter(ticket_id__in=tickets).values_list("body", flat=True)
    return {mark for body in bodies for mark in MARK.findall(body)}


async def drained() -> None:
    async with asyncio.timeout(30):
        while await m.OutboxRow.filter(state="pending").exists():  # noqa: ASYNC110
            await asyncio.sleep(0.1)  # the database tells no one


async def committed(count: int) -> None:
    async with asyncio.timeout(30):
        while await m.CommentRow.filter(  # noqa: ASYNC110 - the database tells no one
                body__startswith="Question ").count() < count:
            await asyncio.sleep(0.1)


async def all_shown(emulator: TelegramEmulator, cluster: Cluster, marks: list[str],
                         timeout: float = 40) -> Counter[str]:  # noqa: ASYNC109
    try:
        await emulator.wait_for(lambda e: set(marks) <= set(marks_in_group(e)),
                                timeout=timeout)
    except TimeoutError:
        raise AssertionError(f"missing: {set(marks) - set(marks_in_group(emulator))}\n"
                             f"{cluster.logs()}") from None
    await asyncio.sleep(0.5)  # anything doubled would show by now
    return marks_in_group(emulator)


def clients_of(emulator: TelegramEmulator, first: int, count: int) -> list[int]:
    clients = [first + i for i in range(count)]
    for user in clients:
        emulator.add_user(user, f"Client {user}")
    return clients


def assert_each_shown_once_but_what_was_in_flight(shown: Counter[str], marks: list[str],
                                                  in_flight: set[str]) -> None:
    """Every message shows; only what the killed leader was sending may show twice (it
    may have gone out without the record of it reaching the database)."""
    assert all(shown[mark] for mark in marks)
    doubled = {mark for mark in marks if shown[mark] > 1}
    assert doubled <= in_flight and max(shown.values()) <= 2, (doubled, in_flight)


async def test_webhook_burst_through_a_balancer_survives_the_leader_killed(
        emulator: TelegramEmulator, postgres_database: str, tmp_path: Path) -> None:
    clients = clients_of(emulator, 8100, 12)
    async with running_cluster(tmp_path, postgres_database, emulator.base_url,
                               time_scale=SCALE) as (cluster, balancer):
        emulator.route_webhook(PUBLIC, balancer.url)
        leader = await cluster.leader()
        marks = await burst(emulator, clients, 2)
        await committed(len(marks))  # through both instances; the leader is still sending
        assert set(balancer.forwarded) == {"instance-1", "instance-2"}
        leader.kill()
        in_flight = await marks_in_flight()
        marks += await burst(emulator, clients, 2, first=len(marks))
        survivor = await cluster.leader()
        shown = await all_shown(emulator, cluster, marks)
        health = await asyncio.to_thread(survivor.health)

    assert survivor is not leader
    assert_each_shown_once_but_what_was_in_flight(shown, marks, in_flight)
    assert emulator.rate_limited_count == 0
    assert await m.CommentRow.filter(body__startswith="Question ").count() == len(marks)
    assert health is not None and health["role"] == "leader"
    assert health["outbox_backlog"].get("telegram", 0) == 0


async def test_polling_moves_to_the_standby_when_the_leader_is_killed(
        emulator: TelegramEmulator, postgres_database: str, tmp_path: Path) -> None:
    clients = clients_of(emulator, 8200, 4)
    async with running_cluster(tmp_path, postgres_database, emulator.base_url,
                               mode="polling", time_scale=SCALE) as (cluster, _):
        leader = await cluster.leader()
        standby = next(i for i in cluster.alive if i is not leader)
        before = await asyncio.to_thread(standby.health)
        marks = await burst(emulator, clients, 1)
        await all_shown(emulator, cluster, marks)
        await drained()
        leader.kill()
        in_flight = await marks_in_flight()
        marks += await burst(emulator, clients, 2, first=len(marks))
        shown = await all_shown(emulator, cluster, marks)
        after = await asyncio.to_thread(standby.health)

    assert before is not None and before["role"] == "standby"
    assert before["status"] == "ok"  # a standby is healthy: the balancer keeps it
    assert after is not None and after["role"] == "leader"
    assert not in_flight  # the leader was idle: strictly nothing twice
    assert_each_shown_once_but_what_was_in_flight(shown, marks, in_flight)
    assert emulator.rate_limited_count == 0
