"""Clients (contacts, companies) and the team (employees, groups), docs/DOMAIN.md §8-§9."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from core.names import Names


class ActorKind(StrEnum):
    CLIENT = "client"
    EMPLOYEE = "employee"
    SYSTEM = "system"


@dataclass(frozen=True)
class Actor:
    kind: ActorKind
    id: int | None = None

    @classmethod
    def client(cls, contact_id: int) -> Actor:
        return cls(ActorKind.CLIENT, contact_id)

    @classmethod
    def employee(cls, employee_id: int) -> Actor:
        return cls(ActorKind.EMPLOYEE, employee_id)

    @classmethod
    def system(cls) -> Actor:
        return cls(ActorKind.SYSTEM, None)

    @property
    def is_client(self) -> bool:
        return self.kind is ActorKind.CLIENT

    @property
    def is_employee(self) -> bool:
        return self.kind is ActorKind.EMPLOYEE


class Role(StrEnum):
    ADMIN = "admin"
    LEAD = "lead"
    SPECIALIST = "specialist"


@dataclass
class Employee:
    id: int
    name: str
    login: str
    role: Role = Role.SPECIALIST
    active: bool = True
    telegram_id: int | None = None
    password_hash: str | None = None
    group_ids: set[int] = field(default_factory=set)


@dataclass
class Group:
    id: int
    name: str
    member_ids: set[int] = field(default_factory=set)
    notify_ids: set[int] = field(default_factory=set)
    assignment: str = "least_loaded"  # or "round_robin"
    names: Names = field(default_factory=Names)
    telegram_chat_id: int | None = None  # the group's own agents' forum (a supergroup)


@dataclass
class Company:
    id: int
    name: str
    category: str = "Client"
    manager_id: int | None = None
    email_domain: str | None = None


@dataclass(frozen=True)
class Identity:
    """A messenger identity: the address a contact is reached at in one channel. A contact's
    further phone numbers and e-mail addresses (beyond `phone` and `email`) are identities of
    the channels "phone" and "email"."""

    channel: str
    external_id: str


PHONE, EMAIL = "phone", "email"


@dataclass
class Contact:
    id: int
    name: str
    phone: str | None = None
    email: str | None = None
    company_id: int | None = None
    manager_id: int | None = None
    language: str | None = None
    identities: list[Identity] = field(default_factory=list)
    current_ticket_id: int | None = None
    wants_new_ticket: bool = False

    def address_in(self, channel: str) -> str | None:
        for identity in self.identities:
            if identity.channel == channel:
                return identity.external_id
        return None

    @property
    def phones(self) -> list[str]:
        return self._values(self.phone, PHONE)

    @property
    def emails(self) -> list[str]:
        return self._values(self.email, EMAIL)

    def _values(self, main: str | None, channel: str) -> list[str]:
        extra = [i.external_id for i in self.identities if i.channel == channel]
        return list(dict.fromkeys(v for v in (main, *extra) if v))  # the mail channel's too

    def clashing_channels(self, other: Contact) -> list[str]:
        """Messengers where both contacts have an address, and different ones: answers go
        to a contact's one address in the ticket's channel, so these cannot be one contact."""
        return sorted({i.channel for i in other.identities
                       if i.channel not in (PHONE, EMAIL)
                       and (mine := self.address_in(i.channel)) is not None
                       and mine != i.external_id})

    def absorb(self, other: Contact) -> None:
        """Take over another contact's addresses (§8.2): its messenger identities, and its
        phones and e-mails (extra ones beside this contact's own). Name, company, manager and
        language stay this contact's where it has them."""
        for channel, values in ((PHONE, other.phones), (EMAIL, other.emails)):
            known = self.phones if channel == PHONE else self.emails
            for value in values:
                if value in known:
                    continue
                if channel == PHONE and self.phone is None:
                    self.phone = value
                elif channel == EMAIL and self.email is None:
                    self.email = value
                else:
                    self.identities.append(Identity(channel, value))
                known.append(value)
        for identity in other.identities:
            if identity.channel not in (PHONE, EMAIL) and identity not in self.identities:
                self.identities.append(identity)
        self.company_id = self.company_id or other.company_id
        self.manager_id = self.manager_id or other.manager_id
        self.language = self.language or other.language
