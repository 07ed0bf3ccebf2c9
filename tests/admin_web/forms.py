"""What a browser would send for a form of a page: its fields as shown, so a test can submit
the form it was given (changing a few fields) rather than one it made up."""

from __future__ import annotations

from html.parser import HTMLParser

Fields = list[tuple[str, str]]


class _FormReader(HTMLParser):
    def __init__(self, form_id: str) -> None:
        super().__init__(convert_charrefs=True)
        self.form_id, self.inside, self.found = form_id, False, False
        self.fields: Fields = []
        # a select's name, whether it is multiple, the chosen values and all of them
        self._select: tuple[str, bool, list[str], list[str]] | None = None
        self._textarea: tuple[str, list[str]] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.inside = a.get("id") == self.form_id
            self.found |= self.inside
        if not self.inside or "disabled" in a:
            return
        if tag == "input":
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self.fields.append((a["name"], a.get("value") or "on"))
            elif kind not in ("submit", "button", "reset", "file"):
                self.fields.append((a["name"], a.get("value", "")))
        elif tag == "select":
            self._select = (a["name"], "multiple" in a, [], [])
        elif tag == "option" and self._select is not None:
            value = a.get("value", "")
            self._select[3].append(value)
            if "selected" in a:
                self._select[2].append(value)
        elif tag == "textarea":
            self._textarea = (a["name"], [])

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea[1].append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False
        elif tag == "select" and self._select is not None:
            name, multiple, chosen, options = self._select
            if not chosen and not multiple and options:
                chosen = options[:1]  # a single select sends its first option
            self.fields.extend((name, v) for v in chosen)
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            name, parts = self._textarea
            text = "".join(parts)
            self.fields.append((name, text[1:] if text.startswith("\n") else text))
            self._textarea = None


def form_fields(html: str, form_id: str) -> Fields:
    reader = _FormReader(form_id)
    reader.feed(html)
    assert reader.found, f"the page has no form #{form_id}"
    return reader.fields


def action_rows(fields: Fields) -> list[dict[str, list[str]]]:
    """The action rows a rule or macro form shows (a<n>_<field>), in order, empty ones too."""
    rows: dict[int, dict[str, list[str]]] = {}
    for name, value in fields:
        head, _, field = name.partition("_")
        if head[:1] == "a" and head[1:].isdigit() and field:
            rows.setdefault(int(head[1:]), {}).setdefault(field, []).append(value)
    return [rows[n] for n in sorted(rows)]


def replaced(fields: Fields, **changes: str | list[str]) -> Fields:
    """The fields with some replaced (a list for several values; an empty list drops it)."""
    kept = [(k, v) for k, v in fields if k not in changes]
    for name, value in changes.items():
        kept.extend((name, v) for v in ([value] if isinstance(value, str) else value))
    return kept


class _Press(HTMLParser):
    """Which form a browser submits when a button is pressed, and what it sends. Like a
    browser's parser, a <form> opened inside another is dropped (its fields and buttons go to
    the outer form until the first </form>, after which they belong to no form), and a form=
    attribute names the owner. The button is the first one labelled `label` after the first
    element that has `anchor` as an attribute value."""

    def __init__(self, anchor: str, label: str) -> None:
        super().__init__(convert_charrefs=True)
        self.anchor, self.label = anchor, label
        self.seen_anchor, self.pressed = False, False
        self.form: str | None = None  # the id given to the open form
        self.actions: dict[str, str] = {}
        self.fields: list[tuple[str | None, str, str]] = []  # owner, name, value
        self.owner: str | None = None
        self._button: tuple[str | None, dict[str, str], list[str]] | None = None
        self._textarea: tuple[str | None, str, list[str]] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        self.seen_anchor |= self.anchor in a.values()
        if tag == "form" and self.form is None:
            self.form = a.get("id") or f"form{len(self.actions)}"
            self.actions[self.form] = a.get("action", "")
            return
        owner = a.get("form", self.form)
        if tag == "button":
            self._button = (owner, a, [])
        elif tag == "textarea":
            self._textarea = (owner, a.get("name", ""), [])
        elif tag == "input" and a.get("name") and a.get("type") not in ("submit", "button"):
            self.fields.append((owner, a["name"], a.get("value", "")))

    def handle_data(self, data: str) -> None:
        for part in (self._button, self._textarea):
            if part is not None:
                part[2].append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.form = None
        elif tag == "textarea" and self._textarea is not None:
            owner, name, text = self._textarea
            self.fields.append((owner, name, "".join(text).removeprefix("\n")))
            self._textarea = None
        elif tag == "button" and self._button is not None:
            owner, a, text = self._button
            if (self.seen_anchor and not self.pressed and "".join(text).strip() == self.label
                    and a.get("type", "submit") == "submit"):
                self.pressed, self.owner = True, owner
            self._button = None


def press(html: str, anchor: str, label: str) -> tuple[str, Fields]:
    """The action and the fields a browser sends when the button is pressed; fails when the
    button submits no form (pressing it would do nothing)."""
    reader = _Press(anchor, label)
    reader.feed(html)
    assert reader.pressed, f"no button {label!r} after {anchor!r}"
    assert reader.owner is not None, f"the button {label!r} after {anchor!r} submits no form"
    return reader.actions[reader.owner], [(n, v) for o, n, v in reader.fields
                                          if o == reader.owner]
