"""Clients (contacts, companies) and the team (employees, groups), DOMAIN.md §8-§9."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


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


@dataclass
class Company:
    id: int
    name: str
    category: str = "Client"
    manager_id: int | None = None
    email_domain: str | None = None


@dataclass(frozen=True)
class Identity:
    """A messenger identity: the address a contact is reached at in one channel."""

    channel: str
    external_id: str


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
