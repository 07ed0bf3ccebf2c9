"""What the web panel and the API keep about who is signed in: server-side sessions, failed
sign-ins (for throttling), API tokens and each employee's panel language. Secrets (session
ids, tokens) are stored as SHA-256 hashes: a copy of the database lets nobody in."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from tortoise.expressions import Q

from core.clean import without_nul
from storage import models as m


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True)
class PanelSession:
    employee_id: int
    csrf_token: str
    expires_at: datetime


class SessionStore:
    def __init__(self, ttl: timedelta = timedelta(hours=12)) -> None:
        self.ttl = ttl

    async def start(self, employee_id: int, now: datetime) -> str:
        """A new session with a fresh id (never one the browser brought); returns the id."""
        session_id = secrets.token_urlsafe(32)
        await m.PanelSessionRow.create(id_hash=_digest(session_id), employee_id=employee_id,
                                       csrf_token=secrets.token_urlsafe(32), created_at=now,
                                       expires_at=now + self.ttl)
        return session_id

    async def get(self, session_id: str, now: datetime) -> PanelSession | None:
        row = await m.PanelSessionRow.filter(id_hash=_digest(session_id)).first()
        if row is None:
            return None
        if row.expires_at <= now:
            await row.delete()
            return None
        return PanelSession(row.employee_id, row.csrf_token, row.expires_at)

    async def end(self, session_id: str) -> None:
        await m.PanelSessionRow.filter(id_hash=_digest(session_id)).delete()

    async def end_all(self, employee_id: int) -> None:
        """Sign an employee out everywhere (deactivation, password change)."""
        await m.PanelSessionRow.filter(employee_id=employee_id).delete()

    async def purge_expired(self, now: datetime) -> int:
        return await m.PanelSessionRow.filter(expires_at__lte=now).delete()


class LoginThrottle:
    """Refuses sign-in for a login (or from an address) after too many recent failures."""

    def __init__(self, per_login: int = 5, per_ip: int = 20,
                 window: timedelta = timedelta(minutes=15)) -> None:
        self.per_login, self.per_ip, self.window = per_login, per_ip, window

    async def blocked(self, login: str, ip: str, now: datetime) -> bool:
        since = now - self.window
        by_login = await m.LoginFailureRow.filter(login=login.casefold(), at__gt=since).count()
        if by_login >= self.per_login:
            return True
        return await m.LoginFailureRow.filter(ip=ip, at__gt=since).count() >= self.per_ip

    async def failed(self, login: str, ip: str, now: datetime) -> None:
        await m.LoginFailureRow.create(login=login.casefold()[:64], ip=ip[:64], at=now)
        await m.LoginFailureRow.filter(at__lte=now - self.window).delete()

    async def succeeded(self, login: str) -> None:
        await m.LoginFailureRow.filter(login=login.casefold()).delete()


@dataclass(frozen=True)
class ApiToken:
    id: int
    employee_id: int
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None


class ApiTokenStore:
    PREFIX = "cdk_"

    async def create(self, employee_id: int, name: str, now: datetime) -> str:
        """A new token; the returned value is shown once and never stored."""
        token = self.PREFIX + secrets.token_urlsafe(32)
        name = without_nul(name).strip()[:100] or "token"
        await m.ApiTokenRow.create(employee_id=employee_id, name=name,
                                   token_hash=_digest(token), prefix=token[:10],
                                   created_at=now)
        return token

    async def employee_for(self, token: str, now: datetime) -> int | None:
        row = await m.ApiTokenRow.filter(token_hash=_digest(token), revoked=False).first()
        if row is None:
            return None
        if row.last_used_at is None or now - row.last_used_at > timedelta(minutes=1):
            await m.ApiTokenRow.filter(id=row.id).update(last_used_at=now)
        return row.employee_id

    async def for_employee(self, employee_id: int | None = None) -> list[ApiToken]:
        query = m.ApiTokenRow.filter(revoked=False)
        if employee_id is not None:
            query = query.filter(employee_id=employee_id)
        rows = await query.order_by("id")
        return [ApiToken(r.id, r.employee_id, r.name, r.prefix, r.created_at, r.last_used_at)
                for r in rows]

    async def revoke(self, token_id: int, employee_id: int | None = None) -> bool:
        """Revoke a token; with `employee_id`, only if it is that employee's."""
        query = Q(id=token_id)
        if employee_id is not None:
            query &= Q(employee_id=employee_id)
        return await m.ApiTokenRow.filter(query).update(revoked=True) > 0


class PreferenceStore:
    async def language(self, employee_id: int) -> str | None:
        row = await m.PanelPreferenceRow.filter(employee_id=employee_id).first()
        return row.language if row else None

    async def set_language(self, employee_id: int, language: str) -> None:
        await m.PanelPreferenceRow.update_or_create(employee_id=employee_id,
                                                    defaults={"language": language})
