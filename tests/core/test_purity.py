"""The core stays pure: no framework, database or network library is imported by core/."""

from __future__ import annotations

import ast
from pathlib import Path

import core

FORBIDDEN = {"aiogram", "aiohttp", "tortoise", "apscheduler", "vk_api", "viberbot", "jinja2",
             "asyncpg", "aiosqlite", "requests", "storage", "bots", "admin_web", "chatdesk"}


def imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    roots: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


def test_core_imports_no_framework_or_adapter():
    folder = Path(core.__file__).parent
    offenders = {p.name: sorted(imported_roots(p) & FORBIDDEN)
                 for p in sorted(folder.glob("*.py")) if imported_roots(p) & FORBIDDEN}
    assert offenders == {}
