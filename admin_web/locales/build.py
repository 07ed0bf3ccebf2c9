"""Write the panel's .po catalogs from translations.tsv (English, Russian, Persian, one
message per line; plural rows as in wording/build.py). Run after editing the table:
`python -m admin_web.locales.build`."""

from __future__ import annotations

from pathlib import Path

from wording.build import build

HERE = Path(__file__).parent


def main() -> None:
    build(HERE / "translations.tsv", HERE, "panel", "ChatDesk panel")


if __name__ == "__main__":
    main()
