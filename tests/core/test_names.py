"""Names per language (core/names.py): the reader's language when given, else the default."""

from core.names import Names, localized


def test_a_russian_reader_sees_the_russian_name() -> None:
    assert localized("Resolved", Names({"ru": "Решена", "fa": "حل شد"}), "ru") == "Решена"
    assert localized("Resolved", {"ru": "Решена"}, "ru-RU") == "Решена"


def test_a_missing_or_blank_translation_falls_back_to_the_default_name() -> None:
    assert localized("Resolved", Names({"ru": "  "}), "ru") == "Resolved"
    assert localized("Resolved", Names({"ru": "Решена"}), "fa") == "Resolved"
    assert localized("Resolved", None, "ru") == "Resolved"
    assert localized("Resolved", {"ru": "Решена"}, None) == "Resolved"


def test_names_keep_only_known_languages_and_are_hashable() -> None:
    names = Names({"ru": " Решена ", "de": "Gelöst", "fa": ""})
    assert dict(names) == {"ru": "Решена"}
    assert hash(names) == hash(Names({"ru": "Решена"}))
    assert names == {"ru": "Решена"}
