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
