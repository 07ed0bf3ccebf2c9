"""Statuses and the rules for moving between them (docs/DOMAIN.md §2)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from core.errors import InvalidInput, NotFound, TransitionRefused
from core.names import Names, answers_to


class ObjectState(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


OPEN = "open"
ON_HOLD = "on_hold"
AWAITING_REPLY = "awaiting_reply"
RESOLVED = "resolved"
CLOSED = "closed"
SYSTEM_CODES = (OPEN, ON_HOLD, AWAITING_REPLY, RESOLVED, CLOSED)


@dataclass(frozen=True)
class Status:
    code: str
    name: str
    state: ObjectState
    system: bool = False
    pauses_sla: bool = False
    excluded_from_load: bool = False
    color: str = "#888888"
    position: int = 0
    notify_client: bool = True
    names: Names = Names()  # the name in other languages (core/names.py)

    @property
    def is_open(self) -> bool:
        return self.state is ObjectState.OPEN

    @property
    def closes(self) -> bool:
        """Closed, and every custom closed-state status, end the ticket: they stamp closed_at
        and only the reopen window brings it back (§2.2, §3.4). Resolved waits for the client."""
        return not self.is_open and self.code != RESOLVED

    @property
    def counts_for_sla(self) -> bool:
        return self.is_open and not self.pauses_sla

    @property
    def counts_for_load(self) -> bool:
        return self.is_open and not self.excluded_from_load


def default_statuses() -> list[Status]:
    """The five system statuses with the defaults of §2.1 and §4.5."""
    return [
        Status(OPEN, "Open", ObjectState.OPEN, system=True, color="#2e7d32", position=0),
        Status(ON_HOLD, "On hold", ObjectState.OPEN, system=True, pauses_sla=True,
               excluded_from_load=True, color="#f9a825", position=1),
        Status(AWAITING_REPLY, "Awaiting reply", ObjectState.OPEN, system=True,
               color="#1565c0", position=2),
        Status(RESOLVED, "Resolved", ObjectState.CLOSED, system=True, color="#6a1b9a",
               position=3),
        Status(CLOSED, "Closed", ObjectState.CLOSED, system=True, color="#424242",
               position=4),
    ]


# §2.4 defaults between system statuses. Closing from any open-state status is allowed too:
# a client may withdraw a request at any time (§8.1), and an agent may close spam.
_SYSTEM_TRANSITIONS: Mapping[str, frozenset[str]] = {
    OPEN: frozenset({ON_HOLD, AWAITING_REPLY, RESOLVED, CLOSED}),
    ON_HOLD: frozenset({OPEN, RESOLVED, CLOSED}),
    AWAITING_REPLY: frozenset({OPEN, ON_HOLD, RESOLVED, CLOSED}),
    RESOLVED: frozenset({CLOSED, OPEN}),
    CLOSED: frozenset({OPEN}),  # only inside the reopen window, checked by the ticket
}


class Workflow:
    """The status catalogue of an account and the transitions it allows."""

    def __init__(self, statuses: Iterable[Status]) -> None:
        self._by_code = {s.code: s for s in statuses}
        missing = [c for c in SYSTEM_CODES if c not in self._by_code]
        if missing:
            raise InvalidInput("status.system_missing", codes=", ".join(missing))

    def __contains__(self, code: object) -> bool:
        return code in self._by_code

    def get(self, code: str) -> Status:
        try:
            return self._by_code[code]
        except KeyError:
            raise NotFound("status.not_found", code=code) from None

    def find(self, name_or_code: str) -> Status:
        for status in self._by_code.values():
            if answers_to(name_or_code, status.code, status.name, status.names):
                return status
        raise NotFound("status.no_name", name=name_or_code)

    @property
    def statuses(self) -> list[Status]:
        return sorted(self._by_code.values(), key=lambda s: (s.position, s.code))

    def allows(self, old: str, new: str) -> bool:
        if old == new:
            return False
        src, dst = self.get(old), self.get(new)
        if src.system and dst.system:
            return new in _SYSTEM_TRANSITIONS[old]
        # Custom statuses (§2.3-2.4): reachable from and to open-state ones; an open-state
        # custom status can be resolved or closed, a closed-state one reopened.
        if src.is_open and dst.is_open:
            return True
        if src.is_open:
            return not dst.system or new in (RESOLVED, CLOSED)
        return new == OPEN

    def check(self, old: str, new: str) -> Status:
        if not self.allows(old, new):
            raise TransitionRefused("transition.refused", old=self.get(old).name,
                                    new=self.get(new).name)
        return self.get(new)
