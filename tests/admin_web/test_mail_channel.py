"""The e-mail channel in the panel: its name in every language, and the Channels page's
settings without the mailbox passwords."""

from __future__ import annotations

from pathlib import Path

from admin_web.config import config_from_settings
from chatdesk.settings import load_settings
from wording.terms import channel_name


def test_the_channel_is_named_in_english_russian_and_persian() -> None:
    assert [channel_name("email", lang) for lang in ("en", "ru", "fa")] == [
        "E-mail", "Эл. почта", "ایمیل"]


def test_the_channels_page_shows_the_mailboxes_without_their_passwords(tmp_path: Path) -> None:
    settings = load_settings({
        "CHATDESK_DATA_DIR": str(tmp_path),
        "CHATDESK_MAIL_IMAP": "imaps://support%40desk.test:imap-pass@imap.desk.test/INBOX",
        "CHATDESK_MAIL_SMTP": "smtp+starttls://support%40desk.test:smtp-pass@smtp.desk.test",
        "CHATDESK_MAIL_FROM": "Support <support@desk.test>"}, env_file=None)
    [mail] = [c for c in config_from_settings(settings).channels if c.name == "email"]
    assert mail.enabled and mail.details["from"] == "Support <support@desk.test>"
    shown = " ".join(mail.details.values())
    assert "imap.desk.test" in shown and "smtp.desk.test" in shown
    assert "imap-pass" not in shown and "smtp-pass" not in shown
