"""Every refusal the desk can give has a stable code and a wording in English, Russian and
Persian in the bots' and the panel's catalogs; the adapters word it by code."""

from __future__ import annotations

import ast
import string
from pathlib import Path

import pytest

import bots  # noqa: F401  (the bots' own codes join the registry)
from admin_web.i18n import Translator as PanelTranslator
from bots.i18n import translator
from bots.telegram.handlers import errors
from core.errors import AlreadyTaken, DomainError, NotFound, TransitionRefused
from core.refusals import REFUSALS

ROOT = Path(__file__).parents[2]
ERRORS = {"DomainError", "NotFound", "TransitionRefused", "AlreadyTaken", "NotAllowed",
          "InvalidInput"}


def _error_names(tree: ast.Module) -> set[str]:
    """The refusal classes a module uses: imported from core.errors (core/errors.py's own),
    or defined there on top of one (CallbackHeld words itself: callback.held_by)."""
    names = {a.asname or a.name for node in ast.walk(tree)
             if isinstance(node, ast.ImportFrom) and node.module in ("core.errors", None)
             for a in node.names if a.name in ERRORS}
    names |= {node.name for node in ast.walk(tree) if isinstance(node, ast.ClassDef)
              and any(isinstance(b, ast.Name) and b.id in names for b in node.bases)
              and not any(isinstance(n, ast.FunctionDef) and n.name == "__init__"
                          for n in node.body)}
    return names


def _raised(folder: str) -> list[tuple[str, ast.Call]]:
    """(file:line, call) of every construction of a refusal in the folder's code."""
    found = []
    for path in sorted((ROOT / folder).rglob("*.py")):
        if "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        errors = _error_names(tree) | (ERRORS if path.name == "errors.py" else set())
        for node in ast.walk(tree):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                    and node.func.id in errors):
                found.append((f"{path.relative_to(ROOT)}:{node.lineno}", node))
    return found


def _placeholders(text: str) -> list[str]:
    return sorted(f"{name}!{conv}" for _, name, _, conv in string.Formatter().parse(text)
                  if name is not None)


@pytest.mark.parametrize("folder", ["core", "storage", "bots", "chatdesk", "admin_web"])
def test_every_refusal_raised_names_a_registered_code_not_a_sentence(folder: str) -> None:
    wrong = []
    for where, call in _raised(folder):
        first = call.args[0] if call.args else None
        if isinstance(first, ast.Constant) and first.value in REFUSALS:
            continue
        if isinstance(first, ast.Name):  # a code chosen by the caller (`_name(v, "x.y")`)
            continue
        wrong.append(f"{where}: {ast.unparse(call)[:80]}")
    assert wrong == []
    if folder in ("core", "storage"):
        assert _raised(folder)


def test_every_code_passed_on_by_a_helper_is_registered() -> None:
    """Codes handed to a helper (`_name(cmd.name, "status.name_missing")`)."""
    for path in sorted((ROOT / "core").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Constant) and isinstance(node.value, str)
                    and node.value.count(".") == 1 and node.value.split(".")[0] in {
                        code.split(".")[0] for code in REFUSALS}
                    and node.value.replace(".", "").replace("_", "").isalpha()
                    and node.value.islower()):
                assert node.value in REFUSALS, f"{path.name}: {node.value}"


@pytest.mark.parametrize("language", ["ru", "fa"])
def test_every_code_has_a_wording_in_the_bots_and_the_panel(language: str) -> None:
    catalogs = {"client bot": translator(language, "client").lookup,
                "agents' bot": translator(language, "agents").lookup,
                "panel": PanelTranslator(language).lookup}
    for name, lookup in catalogs.items():
        missing = [code for code, english in REFUSALS.items() if not lookup(english)]
        assert missing == [], f"{name} ({language}) has no wording for {missing}"
        broken = [code for code, english in REFUSALS.items()
                  if _placeholders(lookup(english) or "") != _placeholders(english)]
        assert broken == [], f"{name} ({language}): placeholders differ in {broken}"


def test_an_error_keeps_its_code_parameters_and_english_sentence() -> None:
    error = AlreadyTaken("ticket.taken", number=7, who="Anna")
    assert (error.kind, error.code, error.params) == ("already_taken",
                                                      "ticket.taken", {"number": 7, "who": "Anna"})
    assert str(error) == "ticket #7 is already taken by Anna"
    with pytest.raises(KeyError, match="undefined refusal code"):
        NotFound("no ticket #7")


@pytest.mark.parametrize(("language", "expected"), [
    ("en", "a ticket cannot go from Resolved to On hold"),
    ("ru", "заявку нельзя перевести из статуса «Решена» в «Отложена»"),
    ("fa", "درخواست نمی‌تواند از وضعیت «حل‌شده» به «در انتظار» برود"),
])
def test_the_panel_words_a_refusal_by_code_with_its_status_names_translated(
        language: str, expected: str) -> None:
    error: DomainError = TransitionRefused("transition.refused", old="Resolved", new="On hold")
    assert PanelTranslator(language).refusal(error) == expected


def test_a_channel_in_a_refusal_is_named_not_coded() -> None:
    error = DomainError("link.accounts_clash", channel="vk")
    assert str(error) == ("the two contacts write from different accounts in vk; they cannot "
                          "be linked")
    assert "ВКонтакте" in PanelTranslator("ru").refusal(error)
    assert "ВКонтакте" in errors.describe(error, translator("ru", "agents"))
