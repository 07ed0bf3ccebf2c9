"""Write .po catalogs from a table of English<TAB>Russian<TAB>Persian rows. A row whose
English is `one form|other forms` is a plural message: Russian gives three forms
(1, 2-4, 5+), Persian one or two, each separated by `|`.
Run `python -m wording.build` after editing wording/locales/texts.tsv."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import write_po

HERE = Path(__file__).parent / "locales"
LANGUAGES = ("en", "ru", "fa")
PLURAL = "|"
# A fixed header date: catalogs rebuilt on several branches then differ only in their rows.
CREATED = datetime(2026, 11, 28, tzinfo=UTC)


def read_rows(table: Path) -> list[list[str]]:
    """The table's rows; a message given twice takes its last row (a correction appended
    at the end, as the table only grows at its end)."""
    rows = {line.split("\t")[0]: line.split("\t") for line in
            table.read_text(encoding="utf-8").splitlines() if line.strip()}
    return list(rows.values())


def _add(catalog: Catalog, row: list[str], index: int) -> None:
    english, text = row[0], row[index] if index else row[0]
    if PLURAL not in english:
        catalog.add(english, text)
        return
    ids = tuple(english.split(PLURAL, 1))
    forms = text.split(PLURAL)
    forms += [forms[-1]] * (catalog.num_plurals - len(forms))
    catalog.add(ids, tuple(forms[:catalog.num_plurals]))


def build(table: Path, target: Path, domain: str, project: str) -> None:
    """One .po a language under `target/<lang>/LC_MESSAGES/<domain>.po`."""
    rows = read_rows(table)
    for index, language in enumerate(LANGUAGES):
        catalog = Catalog(locale=language, domain=domain, project=project,
                          creation_date=CREATED)
        for row in rows:
            _add(catalog, row, index)
        path = target / language / "LC_MESSAGES" / f"{domain}.po"
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as handle:
            write_po(handle, catalog, width=100, omit_header=False)


def main() -> None:
    build(HERE / "texts.tsv", HERE, "wording", "ChatDesk shared words")


if __name__ == "__main__":
    main()
