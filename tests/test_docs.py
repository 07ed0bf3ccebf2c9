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


_CITED_DIRS = ("core", "storage", "bots", "admin_web", "chatdesk", "emulators", "tests")
# "§3.4", "§ 10", "§1.3-1.5" and "§8-§9": a range names every item between its ends.
_CITATION = re.compile(r"§ ?(\d+)(?:\.(\d+))?(?:-§?(\d+)(?:\.(\d+))?)?")


def _code_files() -> list[Path]:
    here = Path(__file__).resolve()
    return [p for d in _CITED_DIRS for p in sorted((ROOT / d).rglob("*.py")) if p != here]


def _cited(text: str) -> set[str]:
    found: set[str] = set()
    for major, minor, end_major, end_minor in _CITATION.findall(text):
        found.add(f"{major}.{minor}" if minor else major)
        if minor and end_minor and end_major == major:  # §1.3-1.5
            found.update(f"{major}.{n}" for n in range(int(minor), int(end_minor) + 1))
        elif not minor and end_major and not end_minor:  # §8-§9
            found.update(str(n) for n in range(int(major), int(end_major) + 1))
        elif end_major:
            found.add(f"{end_major}.{end_minor}" if end_minor else end_major)
    return found


def test_every_section_the_code_cites_is_in_our_domain_page() -> None:
    page = (ROOT / "docs" / "DOMAIN.md").read_text(encoding="utf-8")
    headed = set(re.findall(r"^#{2,3} §(\d+(?:\.\d+)?) ", page, re.MULTILINE))
    cited: dict[str, str] = {}
    for path in _code_files():
        for number in _cited(path.read_text(encoding="utf-8")):
            cited.setdefault(number, str(path.relative_to(ROOT)))
    assert len(cited) > 40  # the citations are read at all
    assert {n: f for n, f in cited.items() if n not in headed} == {}


def test_the_code_cites_our_domain_page_by_its_path() -> None:
    """A citation names docs/DOMAIN.md, the page in this repository, not a bare DOMAIN.md."""
    bare = re.compile(r"(?<![\w/])DOMAIN(?:\.md)? §")
    stray = [str(p.relative_to(ROOT)) for p in _code_files()
             if bare.search(p.read_text(encoding="utf-8"))]
    assert stray == []


def test_every_module_the_architecture_page_names_exists() -> None:
    text = (ROOT / "docs" / "ARCHITECTURE.md").read_text(encoding="utf-8")
    top = "|".join(_CITED_DIRS + ("docs", "bench"))
    named = set(re.findall(rf"`((?:{top})/[\w/]*(?:\.py|\.md|/))`", text))
    assert len(named) > 10  # the page is read at all
    assert sorted(p for p in named if not (ROOT / p).exists()) == []
