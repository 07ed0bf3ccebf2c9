"""The call-back queue (docs/DOMAIN.md §10): a request from the web form is New, one employee at a
time processes it, a forgotten lock can be taken over, and it ends Processed or Postponed
(New again when its time comes)."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from core import commands as c
from core.callbacks import CallbackHeld, CallbackState
from core.errors import InvalidInput, NotAllowed, TransitionRefused
from core.outbox import Audience, Routing
from core.services import Desk
from tests.fakes import ANNA, BORIS, OLGA, START, FakeClock, InMemoryStore, make_desk


async def _registered() -> tuple[Desk, InMemoryStore, FakeClock, int]:
    desk, store, clock = make_desk()
    request = await desk.handle(c.RegisterCallback("Ivan", "+7 (900) 123-45-67", "After 6pm"))
    return desk, store, clock, request.id


async def test_a_request_from_the_form_is_new_with_its_history() -> None:
    _, store, _, rid = await _registered()
    saved = store.callbacks.requests[rid]
    assert (saved.name, saved.phone, saved.comment) == ("Ivan", "+7 (900) 123-45-67",
                                                        "After 6pm")
    assert saved.state_at(START) is CallbackState.NEW and saved.created_at == START
    assert [(h.request_id, h.action, h.employee_id) for h in store.callbacks.history] == [
        (rid, "registered", None)]


async def test_a_phone_typed_in_persian_or_arabic_digits_is_taken_in_ascii_digits() -> None:
    desk, store, _ = make_desk()
    for typed in ("۰۹۱۲ ۳۴۵ ۶۷۸۹", "٠٩١٢ ٣٤٥ ٦٧٨٩"):
        request = await desk.handle(c.RegisterCallback("Maryam", typed, ""))
        assert store.callbacks.requests[request.id].phone == "0912 345 6789"


async def test_the_team_hears_of_a_new_request_in_the_same_commit() -> None:
    _, store, _, rid = await _registered()
    [message] = [m for m in store.outbox if m.kind == "callback_new"]
    assert (message.channel, message.audience, message.ticket_id) == ("telegram",
                                                                      Audience.AGENTS, 0)
    assert message.payload == {"request_id": rid, "name": "Ivan",
                               "phone": "+7 (900) 123-45-67", "comment": "After 6pm"}


async def test_without_a_team_chat_a_new_request_queues_no_message() -> None:
    desk, store, _ = make_desk(routing=Routing(frozenset({"telegram"}), None))
    await desk.handle(c.RegisterCallback("Ivan", "+7 (900) 123-45-67", ""))
    assert store.callbacks.requests and not store.outbox


@pytest.mark.parametrize(("name", "phone", "comment", "refusal"), [
    ("", "+7 900 123 45 67", "", "name"),
    ("x" * 101, "+7 900 123 45 67", "", "name"),
    ("Ivan", "call me", "", "phone"),
    ("Ivan", "12", "", "phone"),
    ("Ivan", "+7 900 123 45 67", "y" * 1001, "comment"),
])
async def test_bad_form_input_is_refused_and_nothing_is_stored(
        name: str, phone: str, comment: str, refusal: str) -> None:
    desk, store, _ = make_desk()
    with pytest.raises(InvalidInput, match=refusal):
        await desk.handle(c.RegisterCallback(name, phone, comment))
    assert not store.callbacks.requests


async def test_only_one_employee_holds_a_request_and_the_second_is_told_who_and_since() -> None:
    desk, store, clock, rid = await _registered()
    await desk.handle(c.OpenCallback(rid, ANNA))
    clock.advance(timedelta(minutes=5))
    with pytest.raises(CallbackHeld, match="Anna Petrova .* since 2025-03-03 09:00") as held:
        await desk.handle(c.OpenCallback(rid, BORIS))
    assert held.value.holder_id == ANNA and held.value.since == START
    saved = store.callbacks.requests[rid]
    assert saved.state is CallbackState.PROCESSING and saved.holder_id == ANNA
    await desk.handle(c.OpenCallback(rid, ANNA))  # opening it again changes nothing
    assert [h.action for h in store.callbacks.history] == ["registered", "opened"]


async def test_two_employees_opening_at_once_exactly_one_wins() -> None:
    desk, store, _, rid = await _registered()
    results = await asyncio.gather(desk.handle(c.OpenCallback(rid, ANNA)),
                                   desk.handle(c.OpenCallback(rid, BORIS)),
                                   return_exceptions=True)
    errors = [r for r in results if isinstance(r, BaseException)]
    assert len(errors) == 1 and isinstance(errors[0], CallbackHeld), results
    assert store.callbacks.requests[rid].holder_id in (ANNA, BORIS)


async def test_a_stale_lock_may_be_taken_over() -> None:
    desk, store, clock, rid = await _registered()
    await desk.handle(c.OpenCallback(rid, ANNA))
    clock.advance(timedelta(minutes=29))
    with pytest.raises(CallbackHeld):
        await desk.handle(c.OpenCallback(rid, BORIS))
    clock.advance(timedelta(minutes=1))
    taken = await desk.handle(c.OpenCallback(rid, BORIS))
    assert taken.holder_id == BORIS and taken.held_since == clock.now()
    assert store.callbacks.history[-1].action == "taken_over"
    assert "Anna Petrova" in store.callbacks.history[-1].detail


async def test_the_stale_time_is_configurable() -> None:
    desk, _, clock, rid = await _registered()
    await desk.handle(c.OpenCallback(rid, ANNA))
    clock.advance(timedelta(minutes=5))
    taken = await desk.handle(c.OpenCallback(rid, BORIS, stale_after=timedelta(minutes=5)))
    assert taken.holder_id == BORIS


async def test_releasing_returns_the_request_to_new() -> None:
    desk, store, _, rid = await _registered()
    await desk.handle(c.OpenCallback(rid, ANNA))
    with pytest.raises(NotAllowed):
        await desk.handle(c.ReleaseCallback(rid, BORIS))
    await desk.handle(c.ReleaseCallback(rid, ANNA))
    saved = store.callbacks.requests[rid]
    assert saved.state is CallbackState.NEW and saved.holder_id is None
    await desk.handle(c.OpenCallback(rid, BORIS))  # free for anyone now


async def test_processed_records_who_when_and_how_long() -> None:
    desk, store, clock, rid = await _registered()
    with pytest.raises(TransitionRefused, match="open the request"):
        await desk.handle(c.MarkCallbackProcessed(rid, ANNA))
    clock.advance(timedelta(minutes=10))
    await desk.handle(c.OpenCallback(rid, ANNA))
    clock.advance(timedelta(minutes=7))
    await desk.handle(c.MarkCallbackProcessed(rid, ANNA))
    saved = store.callbacks.requests[rid]
    assert saved.state is CallbackState.PROCESSED
    assert (saved.processed_by, saved.processed_at) == (ANNA, clock.now())
    assert saved.processing_time == timedelta(minutes=7)
    with pytest.raises(TransitionRefused, match="already been processed"):
        await desk.handle(c.OpenCallback(rid, BORIS))


async def test_postponed_request_is_new_again_when_its_time_comes() -> None:
    desk, store, clock, rid = await _registered()
    await desk.handle(c.OpenCallback(rid, ANNA))
    until = clock.now() + timedelta(hours=2)
    await desk.handle(c.PostponeCallback(rid, ANNA, until))
    saved = store.callbacks.requests[rid]
    assert saved.state_at(clock.now()) is CallbackState.POSTPONED
    assert saved.postponed_until == until and saved.holder_id is None
    assert saved.state_at(until) is CallbackState.NEW
    clock.set(until)
    await desk.handle(c.OpenCallback(rid, BORIS))
    assert store.callbacks.requests[rid].postponed_until is None


async def test_postponing_into_the_past_is_refused() -> None:
    desk, store, clock, rid = await _registered()
    await desk.handle(c.OpenCallback(rid, ANNA))
    for when in (clock.now(), clock.now() - timedelta(minutes=1)):
        with pytest.raises(InvalidInput, match="future"):
            await desk.handle(c.PostponeCallback(rid, ANNA, when))
    assert store.callbacks.requests[rid].state is CallbackState.PROCESSING


async def test_a_deactivated_employee_cannot_open_a_request() -> None:
    desk, _, _, rid = await _registered()
    with pytest.raises(NotAllowed, match="deactivated"):
        await desk.handle(c.OpenCallback(rid, OLGA))
