"""Reading a mail as the desk does: senders, charsets, bad MIME, encrypted and automatic
mails, files over the limit; what is new in a reply (the quoted history and signature cut
for the usual mail programs, in English and Russian); our signed Message-IDs; the sending
rate."""

from __future__ import annotations

import asyncio
from email.message import EmailMessage

import pytest

from bots.mail.parse import html_to_text, parse_mail
from bots.mail.quotes import fresh_text
from bots.mail.sender import mail_rate
from bots.mail.threads import MessageIds, clean_subject, subject_ticket


def _mail(body: str = "Hello", **headers: str) -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = headers.pop("From", "Ivan Petrov <Ivan@Client.test>")
    mail["Subject"] = headers.pop("Subject", "Printer")
    mail["Message-ID"] = headers.pop("Message_ID", "<a1@client.test>")
    for key, value in headers.items():
        mail[key.replace("_", "-")] = value
    mail.set_content(body)
    return mail


def _notes(raw: bytes) -> str:
    return " ".join(text for text, _ in parse_mail(raw).notes)


def test_a_plain_mail_gives_its_sender_subject_ids_and_text() -> None:
    mail = parse_mail(_mail("The tray jams.", In_Reply_To="<x@desk>",
                            References="<w@desk> <x@desk>").as_bytes())
    assert (mail.address, mail.name, mail.subject) == ("ivan@client.test", "Ivan Petrov",
                                                       "Printer")
    assert mail.text == "The tray jams." and mail.notes == [] and mail.automatic is None
    assert mail.thread_ids == ("<x@desk>", "<x@desk>", "<w@desk>")


def test_windows_1251_and_koi8_r_without_the_right_label_are_read_with_a_note() -> None:
    for charset in ("cp1251", "koi8-r"):
        raw = (b"From: olga@client.test\r\nSubject: x\r\nContent-Type: text/plain; "
               b"charset=x-unknown\r\n\r\n" + "Счёт не пришёл".encode(charset))
        mail = parse_mail(raw)
        assert mail.text == "Счёт не пришёл", charset
        assert "character set" in _notes(raw)


def test_a_mail_without_headers_or_with_broken_mime_still_gives_a_text_and_a_note() -> None:
    headless = parse_mail(b"\r\njust some words\r\n")
    assert headless.text == "just some words" and headless.message_id.startswith("<sha256.")
    assert "no readable sender" in _notes(b"\r\njust some words\r\n")
    broken = (b"From: a@b.test\r\nSubject: x\r\nContent-Type: multipart/mixed; boundary=Q\r\n"
              b"\r\n--Q\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: base64\r\n"
              b"\r\n!!!not base64!!!\r\n")
    assert parse_mail(broken).address == "a@b.test"  # no exception, a ticket can open
    assert parse_mail(b"\x00\xff\xfe garbage").message_id  # nothing readable at all


def test_the_same_mail_without_message_id_gets_the_same_id_each_time() -> None:
    raw = b"From: a@b.test\r\nSubject: x\r\n\r\nbody"
    assert parse_mail(raw).message_id == parse_mail(raw).message_id
    assert parse_mail(raw).message_id != parse_mail(raw + b"!").message_id


def test_an_encrypted_mail_is_noted_not_shown() -> None:
    raw = (b"From: a@b.test\r\nSubject: s\r\nContent-Type: application/pkcs7-mime; "
           b"smime-type=enveloped-data\r\n\r\nMIAGCSqGSIb3DQEHA6CAMIACAQAx")
    assert "encrypted" in _notes(raw) and parse_mail(raw).text == ""


@pytest.mark.parametrize("header", [("Auto-Submitted", "auto-replied"),
                                    ("Precedence", "bulk"), ("X-Autoreply", "yes"),
                                    ("X-ChatDesk-Loop", "desk.test")])
def test_automatic_mails_are_recognised(header: tuple[str, str]) -> None:
    assert parse_mail(_mail(**{header[0].replace("-", "_"): header[1]}).as_bytes()).automatic


def test_bounces_and_robots_are_automatic_people_are_not() -> None:
    assert parse_mail(_mail(From="MAILER-DAEMON@mx.test").as_bytes()).automatic
    report = (b"From: postmaster@mx.test\r\nSubject: Undelivered\r\nContent-Type: "
              b"multipart/report; report-type=delivery-status; boundary=B\r\n\r\n--B\r\n"
              b"Content-Type: text/plain\r\n\r\nfailed\r\n--B--\r\n")
    assert parse_mail(report).automatic
    assert parse_mail(_mail(Auto_Submitted="no").as_bytes()).automatic is None


def test_files_are_kept_up_to_the_limit_and_the_others_noted() -> None:
    mail = _mail("See attached")
    mail.add_attachment(b"%PDF small", maintype="application", subtype="pdf",
                        filename="invoice.pdf")
    mail.add_attachment(b"x" * 5000, maintype="image", subtype="png", filename="big.png")
    read = parse_mail(mail.as_bytes(), max_file_bytes=2048)
    assert [(f.name, f.data) for f in read.files] == [("invoice.pdf", b"%PDF small")]
    assert read.notes[0][1]["name"] == "big.png" and read.text == "See attached"


def test_an_html_only_mail_is_made_plain_and_its_quote_marked() -> None:
    mail = EmailMessage()
    mail["From"] = "a@b.test"
    mail.set_content("<div>Thanks &amp; bye<br>Ivan</div><blockquote>old text</blockquote>"
                     "<script>x()</script>", subtype="html")
    text = parse_mail(mail.as_bytes()).text
    assert text.startswith("Thanks & bye\nIvan") and "> old text" in text and "x()" not in text
    assert fresh_text(text) == "Thanks & bye\nIvan"
    assert html_to_text("<p>a</p><p>b</p>") == "a\n\nb"


@pytest.mark.parametrize("reply", [
    "On Mon, Dec 7, 2026 at 10:00 AM Support <support@desk.test> wrote:\n> Restart it",
    "On Mon, Dec 7, 2026 at 10:00 AM Support <\nsupport@desk.test> wrote:\n> Restart it",
    "пн, 7 дек. 2026 г. в 10:00, Support <support@desk.test>:\n> Перезагрузите",
    "-----Original Message-----\nFrom: Support\nSent: Monday\n\nRestart it",
    "________________________________\nFrom: Support <support@desk.test>\nSent: Monday",
    "From: Support <support@desk.test>\nSent: Monday, December 7, 2026 10:00\nTo: me",
    "От: Support <support@desk.test>\nОтправлено: 7 декабря 2026 г. 10:00",
    "-----Исходное сообщение-----\nОт: Support",
    "On 12/7/26 10:00, Support wrote:\n> Restart it",
    "07.12.2026 10:00, Support пишет:\n> Перезагрузите",
    '07.12.2026, 10:00, "Support" <support@desk.test>:\n> Перезагрузите',
    "Понедельник, 7 декабря 2026, 10:00 +03:00 от Support <support@desk.test>:\n> x",
    "-- \nIvan Petrov\nCEO",
    "Sent from my iPhone",
    "Отправлено из мобильной Почты Mail.ru",
    "> Restart it\n> please",
])
def test_the_quoted_history_and_signature_are_cut(reply: str) -> None:
    assert fresh_text(f"It works now, thanks!\nIvan\n\n{reply}\n") == \
        "It works now, thanks!\nIvan"


def test_a_text_that_is_only_a_quote_or_mentions_an_address_is_kept() -> None:
    assert fresh_text("> forwarded text") == "> forwarded text"
    assert fresh_text("Write to ivan@client.test please.\nThanks") == \
        "Write to ivan@client.test please.\nThanks"


def test_our_message_ids_name_their_ticket_and_a_forged_one_names_none() -> None:
    ids = MessageIds("a secret key of enough length 1234", "desk.test")
    ours = ids.ours(12, 345)
    assert ours == ids.ours(12, 345) and ours.endswith("@desk.test>")
    assert ids.ticket_of(ours) == 12
    assert ids.ticket_of(ours.replace("cd.12.", "cd.13.")) is None
    assert MessageIds("another key of enough length 12345", "desk.test").ticket_of(ours) is None
    assert ids.ticket_of("<random@client.test>") is None


def test_subject_tokens_and_prefixes() -> None:
    assert subject_ticket("Re: [#42] Printer") == 42 and subject_ticket("Printer") is None
    assert clean_subject("Re: RE: Fwd: [#42] Printer  jams") == "Printer jams"
    assert clean_subject("Ответ: Отв: Счёт") == "Счёт"


async def test_mails_beyond_the_minutes_budget_wait_for_the_next_minute() -> None:
    rate = mail_rate(2)
    await asyncio.wait_for(rate.acquire(), 0.1)
    await asyncio.wait_for(rate.acquire(), 0.1)
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(rate.acquire(), 0.2)
    await asyncio.wait_for(mail_rate(0).acquire(), 0.1)  # 0: no limit
