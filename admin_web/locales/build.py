"""Write the panel's .po catalogs from translations.tsv (English, Russian, Persian, one
message per line). Run after editing the table: `python -m admin_web.locales.build`."""

from __future__ import annotations

from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import write_po

HERE = Path(__file__).parent
LANGUAGES = ("en", "ru", "fa")


def main() -> None:
    rows = [line.split("\t") for line in (HERE / "translations.tsv").read_text(
        encoding="utf-8").splitlines() if line.strip()]
    for index, language in enumerate(LANGUAGES):
        catalog = Catalog(locale=language, domain="panel", project="ChatDesk panel")
        for row in rows:
            catalog.add(row[0], row[index] if language != "en" else row[0])
        target = HERE / language / "LC_MESSAGES" / "panel.po"
        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("wb") as handle:
            write_po(handle, catalog, width=100, omit_header=False)


if __name__ == "__main__":
    main()
