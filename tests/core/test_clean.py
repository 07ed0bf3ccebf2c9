"""Commands lose the NUL characters of their text before the desk handles them (core/clean.py):
everywhere in them, and without copying what has none."""

from __future__ import annotations

from core import commands as c
from core.clean import without_nul
from core.tickets import Attachment


def test_every_text_of_a_command_loses_its_nul_characters() -> None:
    command = c.ClientWrites("telegram", "7\x00", "Ann\x00a", "hel\x00lo",
                             (Attachment("document", "f\x00id", "report\x00.pdf"),))

    cleaned = without_nul(command)

    assert cleaned == c.ClientWrites("telegram", "7", "Anna", "hello",
                                     (Attachment("document", "fid", "report.pdf"),))
    assert without_nul({"a\x00": ["b\x00", ("c\x00", 1)]}) == {"a": ["b", ("c", 1)]}


def test_a_command_without_nul_is_the_same_object() -> None:
    command = c.ClientWrites("telegram", "7", "Anna", "hello",
                             (Attachment("document", "fid", "report.pdf"),))
    payload = {"update_id": 1, "message": {"text": "hi", "entities": [{"type": "bold"}]}}

    assert without_nul(command) is command
    assert without_nul(payload) is payload
