"""A ticket's history in the words of the person reading it: "Status: Open → Resolved",
"Observer Ann Lee added", "Linked to ticket #63", never a field's code, a raw id or an ISO
timestamp. Names come from the desk's reference data; texts from the panel's catalogs."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from markupsafe import Markup, escape

from admin_web.i18n import Translator
from core.statuses import OPEN
from core.tickets import HistoryEntry
from storage import panel_views as views
from wording.numbers import digits
from wording.terms import display_name

Local = Callable[[datetime | None], str]
# A field's label in the "<label>: old → new" form; the catalogs hold their translations.
LABELS = {"priority": "Priority", "type_code": "Type", "subject": "Subject",
          "group": "Group", "planned_resolution_at": "Resolution due",
          "on_hold_until": "On hold until", "rating": "Rating", "status": "Status",
          "responsible": "Responsible"}
SLA = {("sla_warning", "reaction"): "The reaction deadline is near",
       ("sla_warning", "resolution"): "The resolution deadline is near",
       ("sla_breach", "reaction"): "The reaction deadline was missed",
       ("sla_breach", "resolution"): "The resolution deadline was missed"}
OBSERVERS = {("observer", True): "Observer {name} added",
             ("observer", False): "Observer {name} removed",
             ("observer_group", True): "Observer group {name} added",
             ("observer_group", False): "Observer group {name} removed"}


@dataclass(frozen=True)
class HistoryLine:
    entry: HistoryEntry
    text: Markup  # names and numbers in <bdi>, for right-to-left pages
    href: str | None = None  # a ticket the line speaks of


class _Words:
    """Turns one entry's values into names, in the reader's language. `attribute_names`
    are keyed by the history field (attr:<code>)."""

    def __init__(self, ref: views.Reference, tr: Translator, local: Local,
                 attribute_names: Mapping[str, str], contacts: Mapping[int, str]) -> None:
        self.ref, self.tr, self.local = ref, tr, local
        self.attribute_names, self.contacts = attribute_names, contacts

    def value(self, field: str, raw: str | None) -> str:
        """One side of a change, as a person names it ("—" for nothing)."""
        if raw is None or raw == "":
            return "—"
        named = self._named(field, raw)
        return named if named is not None else raw

    def _named(self, field: str, raw: str) -> str | None:
        ref, tr = self.ref, self.tr
        number = int(raw) if raw.isdecimal() else None
        language = tr.language
        if field == "status":
            status = ref.workflow.get(raw) if raw in ref.workflow else None
            return display_name(status.name, status.names, language) if status else raw
        if field == "priority":
            found = ref.priority(raw)
            return display_name(found.name, found.names, language) if found else raw
        if field == "type_code":
            kind = next((t for t in ref.types if t.code == raw), None)
            return display_name(kind.name, kind.names, language) if kind else raw
        if field in ("responsible", "observer"):
            return ref.employee_name(number) or tr("a former employee")
        if field in ("group", "observer_group"):
            group = next((g for g in ref.groups if g.id == number), None)
            return display_name(group.name, group.names, language) if group else tr(
                "a deleted group")
        if field in ("contact", "linked_contact"):
            return self.contacts.get(number or 0) or tr("another contact")
        if field in ("planned_resolution_at", "on_hold_until"):
            return self._moment(raw)
        if field == "rating":
            return f"{digits(raw, tr.language)}/{digits(5, tr.language)}"
        return None

    def _moment(self, raw: str) -> str:
        try:
            return self.local(datetime.fromisoformat(raw))
        except ValueError:
            return raw

    def say(self, key: str, **values: object) -> Markup:
        """A catalog sentence with its values isolated (and escaped)."""
        isolated = {k: Markup("<bdi>{}</bdi>").format(v) for k, v in values.items()}
        return escape(self.tr(key)).format(**isolated)

    def text(self, h: HistoryEntry) -> tuple[Markup, str | None]:
        """The sentence for one entry, and the ticket it links to if any."""
        tr, new, old = self.say, self.value(h.field, h.new), self.value(h.field, h.old)
        if h.field == "status" and h.old is None:
            if h.new == OPEN:
                return tr("Ticket opened"), None
            return tr("Ticket opened: {status}", status=new), None
        if h.field == "linked_from" and h.new:
            return tr("Linked to ticket {number}", number=f"#{h.new}"), f"/tickets/{h.new}"
        if h.field == "line":
            line = digits(h.new, self.tr.language) if h.new else "—"
            return tr("Moved to line {line}", line=line), None
        if (h.field, h.new is not None) in OBSERVERS:
            key = OBSERVERS[(h.field, h.new is not None)]
            return tr(key, name=new if h.new is not None else old), None
        if h.field == "contact":
            return tr("Client {old} joined with {new}", old=old, new=new), None
        if h.field == "linked_contact":
            return tr("Client linked with {name}", name=new), None
        if (h.field, h.new) in SLA:
            return tr(SLA[(h.field, h.new or "")]), None
        arrow = "←" if self.tr.rtl else "→"  # from the old value to the new, as one reads
        return Markup("{}: <bdi>{}</bdi> {} <bdi>{}</bdi>").format(
            self._label(h.field), old, arrow, new), None

    def _label(self, field: str) -> str:
        if field in self.attribute_names:  # attr:<code>, by the attribute's name
            return self.attribute_names[field]
        return self.tr(LABELS.get(field, field))


async def history_lines(history: Iterable[HistoryEntry], ref: views.Reference, tr: Translator,
                        local: Local, attribute_names: Mapping[str, str]) -> list[HistoryLine]:
    """The entries, newest last, as sentences."""
    entries = list(history)
    contacts = {}
    for number in {int(v) for h in entries if h.field in ("contact", "linked_contact")
                   for v in (h.old, h.new) if v and v.isdecimal()}:
        found = await views.contact(number)
        if found is not None:
            contacts[number] = found.name
    words = _Words(ref, tr, local, attribute_names, contacts)
    lines = []
    for h in entries:
        text, href = words.text(h)
        lines.append(HistoryLine(h, text, href))
    return lines
