"""The call-back queue (docs/DOMAIN.md §10): requests from a web form that one employee at a time
processes. New → In processing (a lock: who and since when) → Processed or Postponed; a
postponed request is New again once its time has come, and a lock left too long may be taken
over by someone else."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from core.clean import ascii_digits
from core.errors import AlreadyTaken, InvalidInput, NotAllowed, TransitionRefused

NAME_LIMIT = 100
COMMENT_LIMIT = 1000
PHONE_LIMIT = 40
STALE_LOCK = timedelta(minutes=30)
_PHONE = re.compile(r"\+?[0-9 ()./-]+")


class CallbackState(StrEnum):
    NEW = "new"
    PROCESSING = "processing"
    PROCESSED = "processed"
    POSTPONED = "postponed"


class CallbackHeld(AlreadyTaken):
    """Another employee has the request open; says who and since when."""

    def __init__(self, holder_id: int, holder_name: str, since: datetime) -> None:
        super().__init__("callback.held_by", name=holder_name, since=f"{since:%Y-%m-%d %H:%M}")
        self.holder_id, self.holder_name, self.since = holder_id, holder_name, since


@dataclass(frozen=True)
class CallbackChange:
    """One line of a request's history: what happened, by whom (None: the web form)."""

    request_id: int
    at: datetime
    employee_id: int | None
    action: str  # registered, opened, taken_over, released, processed, postponed
    detail: str = ""


def clean_contact(name: str, phone: str, comment: str) -> tuple[str, str, str]:
    """The form's fields, trimmed and checked: a name, a phone with 5 to 20 digits (spaces,
    brackets, dots, dashes and a leading + allowed), a comment of reasonable length."""
    name, phone, comment = name.strip(), ascii_digits(phone.strip()), comment.strip()
    if not name:
        raise InvalidInput("callback.name_missing")
    if len(name) > NAME_LIMIT:
        raise InvalidInput("callback.name_too_long", limit=NAME_LIMIT)
    digits = sum(ch.isdigit() for ch in phone)
    if len(phone) > PHONE_LIMIT or not _PHONE.fullmatch(phone) or not 5 <= digits <= 20:
        raise InvalidInput("callback.phone_missing")
    if len(comment) > COMMENT_LIMIT:
        raise InvalidInput("callback.comment_too_long", limit=COMMENT_LIMIT)
    return name, phone, comment


@dataclass
class CallbackRequest:
    id: int
    name: str
    phone: str
    comment: str
    created_at: datetime
    state: CallbackState = CallbackState.NEW
    holder_id: int | None = None
    held_since: datetime | None = None
    processed_by: int | None = None
    processed_at: datetime | None = None
    processing_time: timedelta | None = None
    postponed_until: datetime | None = None
    version: int = 0
    changes: list[CallbackChange] = field(default_factory=list)  # not yet written

    def state_at(self, now: datetime) -> CallbackState:
        """The state people see: a postponed request whose time has come is New again."""
        if (self.state is CallbackState.POSTPONED and self.postponed_until is not None
                and self.postponed_until <= now):
            return CallbackState.NEW
        return self.state

    def lock_is_stale(self, now: datetime, stale_after: timedelta) -> bool:
        return self.held_since is not None and now - self.held_since >= stale_after

    def open(self, employee_id: int, now: datetime, holder_name: str,
             stale_after: timedelta = STALE_LOCK) -> None:
        """Take the lock. `holder_name` names the current holder for the refusal."""
        state = self.state_at(now)
        if state is CallbackState.PROCESSED:
            raise TransitionRefused("callback.processed")
        if state is CallbackState.PROCESSING and self.holder_id == employee_id:
            return
        action, detail = "opened", ""
        if state is CallbackState.PROCESSING and self.holder_id is not None:
            assert self.held_since is not None
            if not self.lock_is_stale(now, stale_after):
                raise CallbackHeld(self.holder_id, holder_name, self.held_since)
            action, detail = "taken_over", f"from {holder_name}"
        self.state, self.holder_id, self.held_since = CallbackState.PROCESSING, employee_id, now
        self.postponed_until = None
        self._record(now, employee_id, action, detail)

    def release(self, employee_id: int, now: datetime) -> None:
        """Close the processing window without finishing: back to New."""
        self._check_holder(employee_id, now)
        self.state, self.holder_id, self.held_since = CallbackState.NEW, None, None
        self._record(now, employee_id, "released")

    def mark_processed(self, employee_id: int, now: datetime) -> None:
        self._check_holder(employee_id, now)
        assert self.held_since is not None
        self.state, self.processed_by, self.processed_at = (CallbackState.PROCESSED,
                                                            employee_id, now)
        self.processing_time = now - self.held_since
        self.holder_id, self.held_since = None, None
        self._record(now, employee_id, "processed")

    def postpone(self, employee_id: int, until: datetime, now: datetime) -> None:
        if until <= now:
            raise InvalidInput("callback.postpone_past")
        self._check_holder(employee_id, now)
        self.state, self.postponed_until = CallbackState.POSTPONED, until
        self.holder_id, self.held_since = None, None
        self._record(now, employee_id, "postponed", until.isoformat())

    def _check_holder(self, employee_id: int, now: datetime) -> None:
        if self.state_at(now) is not CallbackState.PROCESSING:
            raise TransitionRefused("callback.open_first")
        if self.holder_id != employee_id:
            raise NotAllowed("callback.held")

    def _record(self, now: datetime, employee_id: int | None, action: str,
                detail: str = "") -> None:
        self.changes.append(CallbackChange(self.id, now, employee_id, action, detail))


def new_request(name: str, phone: str, comment: str, now: datetime) -> CallbackRequest:
    name, phone, comment = clean_contact(name, phone, comment)
    request = CallbackRequest(0, name, phone, comment, now)
    request.changes.append(CallbackChange(0, now, None, "registered"))
    return request
