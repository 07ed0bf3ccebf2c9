"""The call-back queue in the database (docs/DOMAIN.md §10): the repository the core writes through
(the processing lock is a version check in the UPDATE, so of two transactions opening one
request exactly one wins) and the read model of the panel's queue and the API."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import Q

from core.callbacks import CallbackChange, CallbackRequest, CallbackState
from core.errors import ConcurrentUpdate, NotFound
from storage import callback_models as cm
from storage import models as m

RECENT_PROCESSED = 50


def _values(request: CallbackRequest) -> dict[str, Any]:
    seconds = request.processing_time
    return {"name": request.name, "phone": request.phone, "comment": request.comment,
            "created_at": request.created_at, "state": request.state.value,
            "holder_id": request.holder_id, "held_since": request.held_since,
            "processed_by": request.processed_by, "processed_at": request.processed_at,
            "processing_seconds": int(seconds.total_seconds()) if seconds else None,
            "postponed_until": request.postponed_until}


def _from_row(row: cm.CallbackRequestRow) -> CallbackRequest:
    seconds = row.processing_seconds
    return CallbackRequest(
        row.id, row.name, row.phone, row.comment, row.created_at, CallbackState(row.state),
        row.holder_id, row.held_since, row.processed_by, row.processed_at,
        timedelta(seconds=seconds) if seconds is not None else None, row.postponed_until,
        row.version)


class CallbackRepository:
    def __init__(self, conn: BaseDBAsyncClient) -> None:
        self.conn = conn

    async def add(self, request: CallbackRequest) -> CallbackRequest:
        row = await cm.CallbackRequestRow.create(using_db=self.conn, **_values(request))
        request.id, request.version = row.id, row.version
        await self._write_changes(request)
        return request

    async def get(self, request_id: int) -> CallbackRequest:
        row = await cm.CallbackRequestRow.filter(id=request_id).using_db(self.conn).first()
        if row is None:
            raise NotFound("callback.not_found", number=request_id)
        return _from_row(row)

    async def save(self, request: CallbackRequest) -> None:
        updated = await cm.CallbackRequestRow.filter(
            id=request.id, version=request.version).using_db(self.conn).update(
            **_values(request), version=request.version + 1)
        if updated != 1:
            raise ConcurrentUpdate(f"call-back request {request.id} changed")
        request.version += 1
        await self._write_changes(request)

    async def history(self, request_id: int) -> list[CallbackChange]:
        rows = await cm.CallbackChangeRow.filter(request_id=request_id).using_db(
            self.conn).order_by("id")
        return [_change(r) for r in rows]

    async def _write_changes(self, request: CallbackRequest) -> None:
        if request.changes:
            await cm.CallbackChangeRow.bulk_create(
                [cm.CallbackChangeRow(request_id=request.id, at=h.at, employee_id=h.employee_id,
                                      action=h.action, detail=h.detail[:200])
                 for h in request.changes], using_db=self.conn)
        request.changes.clear()


def _change(row: cm.CallbackChangeRow) -> CallbackChange:
    return CallbackChange(row.request_id, row.at, row.employee_id, row.action, row.detail)


# --- read model: the panel's queue and the API ---------------------------------------------
@dataclass
class QueueItem:
    request: CallbackRequest
    state: CallbackState  # as seen now: a postponed request that is due is New
    holder: str = ""
    processed_by: str = ""
    history: list[tuple[CallbackChange, str]] = field(default_factory=list)  # with who


ORDER = {CallbackState.NEW: 0, CallbackState.PROCESSING: 1, CallbackState.POSTPONED: 2,
         CallbackState.PROCESSED: 3}


async def queue(now: datetime, processed: int = RECENT_PROCESSED) -> list[QueueItem]:
    """New first (oldest first), then in processing, postponed (soonest first), then the
    most recently processed."""
    open_rows = await cm.CallbackRequestRow.filter(~Q(state=CallbackState.PROCESSED.value))
    done_rows = await cm.CallbackRequestRow.filter(
        state=CallbackState.PROCESSED.value).order_by("-processed_at").limit(processed)
    requests = [_from_row(r) for r in [*open_rows, *done_rows]]
    names = dict(await m.EmployeeRow.all().values_list("id", "name"))
    history = await cm.CallbackChangeRow.filter(
        request_id__in=[r.id for r in requests]).order_by("id") if requests else []
    items = [QueueItem(r, r.state_at(now), names.get(r.holder_id, ""),
                       names.get(r.processed_by, "")) for r in requests]
    by_id = {i.request.id: i for i in items}
    for row in history:
        by_id[row.request_id].history.append((_change(row), names.get(row.employee_id, "")))

    def key(item: QueueItem) -> tuple[int, float]:
        r = item.request
        when = {CallbackState.NEW: r.postponed_until or r.created_at,
                CallbackState.PROCESSING: r.held_since,
                CallbackState.POSTPONED: r.postponed_until,
                CallbackState.PROCESSED: r.processed_at}[item.state] or r.created_at
        stamp = when.timestamp()
        return ORDER[item.state], -stamp if item.state is CallbackState.PROCESSED else stamp
    return sorted(items, key=key)
