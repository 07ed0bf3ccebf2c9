"""docs/FEATURES.md says which test proves each feature: every test it names exists, so the
map cannot point at a test that was renamed or removed. docs/PERFORMANCE.md's commands name
benchmarks that exist."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _named_tests() -> set[tuple[str, str]]:
    text = (ROOT / "docs" / "FEATURES.md").read_text(encoding="utf-8")
    return set(re.findall(r"`(tests/[\w/]+\.py)(?:::(\w+))?", text))


def test_every_test_the_feature_map_names_exists() -> None:
    named = _named_tests()
    assert len(named) > 100  # the map is read at all
    missing = []
    for path, name in sorted(named):
        source = ROOT / path
        if not source.is_file():
            missing.append(path)
        elif name and not re.search(rf"^\s*(async def|def) {name}\(|^{name} = ",
                                    source.read_text(encoding="utf-8"), re.MULTILINE):
            missing.append(f"{path}::{name}")
    assert missing == []


def test_every_benchmark_the_performance_page_runs_exists() -> None:
    text = (ROOT / "docs" / "PERFORMANCE.md").read_text(encoding="utf-8")
    benches = set(re.findall(r"(bench/\w+\.py)", text))
    assert benches and all((ROOT / b).is_file() for b in benches), benches
