"""The call-back queue in memory (§10): requests are copied on read, written on commit, and a
request saved over a newer version raises `ConcurrentUpdate`, as in the database."""

from __future__ import annotations

import copy
import dataclasses
from dataclasses import dataclass, field

from core.callbacks import CallbackChange, CallbackRequest
from core.errors import ConcurrentUpdate, NotFound


@dataclass
class CallbackStore:
    requests: dict[int, CallbackRequest] = field(default_factory=dict)
    history: list[CallbackChange] = field(default_factory=list)
    last_id: int = 0


class InMemoryCallbacks:
    def __init__(self, store: CallbackStore) -> None:
        self.store = store
        self.pending: dict[int, CallbackRequest] = {}
        self.read_versions: dict[int, int] = {}
        self.new_history: list[CallbackChange] = []

    async def add(self, request: CallbackRequest) -> CallbackRequest:
        self.store.last_id += 1
        request.id = self.store.last_id
        self.read_versions[request.id] = -1
        self._write(request)
        return request

    async def get(self, request_id: int) -> CallbackRequest:
        found = self.pending.get(request_id) or self.store.requests.get(request_id)
        if found is None:
            raise NotFound("callback.not_found", number=request_id)
        self.read_versions.setdefault(request_id, found.version)
        return copy.deepcopy(found)

    async def save(self, request: CallbackRequest) -> None:
        current = self.pending.get(request.id) or self.store.requests.get(request.id)
        if current is None or current.version != request.version:
            raise ConcurrentUpdate(f"call-back request {request.id} changed")
        request.version += 1
        self._write(request)

    async def history(self, request_id: int) -> list[CallbackChange]:
        return [h for h in self.store.history + self.new_history if h.request_id == request_id]

    def _write(self, request: CallbackRequest) -> None:
        self.new_history += [dataclasses.replace(h, request_id=request.id)
                             for h in request.changes]
        request.changes.clear()
        self.pending[request.id] = copy.deepcopy(request)

    def check_versions(self) -> None:
        for request_id, read in self.read_versions.items():
            stored = self.store.requests.get(request_id)
            if stored is not None and read >= 0 and stored.version != read:
                raise ConcurrentUpdate(f"call-back request {request_id} changed")

    def flush(self) -> None:
        self.store.requests.update(self.pending)
        self.store.history += self.new_history
        self.discard()

    def discard(self) -> None:
        self.pending.clear()
        self.read_versions.clear()
        self.new_history = []
