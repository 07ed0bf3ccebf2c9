"""A raw e-mail as the desk takes it: who wrote (address and name), the subject, the ids it
threads by, the text (plain, or the HTML part made plain), its files, whether it is an
automatic message (auto-reply, bounce, a list), and notes on whatever could not be read.

Never raises on what a mail server hands over: malformed MIME, a charset Python does not
know (or a wrong one: windows-1251 or koi8-r labelled as something else), missing headers,
encrypted bodies and parts too large all give a message with what could be read and a note
saying what was not."""

from __future__ import annotations

import hashlib
import html
import re
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.headerregistry import Address
from email.message import Message
from email.utils import getaddresses, parseaddr

MAX_FILE_BYTES = 10 * 1024 * 1024
FALLBACK_CHARSETS = ("utf-8", "windows-1251", "koi8-r")
ENCRYPTED = frozenset({"multipart/encrypted", "application/pgp-encrypted",
                       "application/pkcs7-mime", "application/x-pkcs7-mime"})
AUTO_PRECEDENCE = frozenset({"bulk", "junk", "list", "auto_reply"})
ROBOT_SENDERS = ("mailer-daemon", "postmaster", "noreply", "no-reply", "do-not-reply",
                 "donotreply")
LOOP_HEADER = "X-ChatDesk-Loop"


@dataclass(frozen=True)
class MailFile:
    name: str
    mime_type: str
    data: bytes


@dataclass
class IncomingMail:
    message_id: str
    address: str  # the sender's address, lower case ("" when none could be read)
    name: str
    subject: str
    text: str
    in_reply_to: tuple[str, ...] = ()
    references: tuple[str, ...] = ()
    files: list[MailFile] = field(default_factory=list)
    # what could not be read, for the agents: English wording and its values
    notes: list[tuple[str, dict[str, object]]] = field(default_factory=list)
    automatic: str | None = None  # why it is an auto-reply, a bounce or a loop; None if not
    language: str | None = None

    def note(self, text: str, **values: object) -> None:
        if (text, values) not in self.notes:
            self.notes.append((text, values))

    @property
    def thread_ids(self) -> tuple[str, ...]:
        """The ids it answers, nearest first."""
        return (*self.in_reply_to, *reversed(self.references))


def message_id_of(raw: bytes, header: str | None) -> str:
    """The Message-ID, or (none given) one made of the message's bytes: the same mail
    fetched again has the same id, so it is still taken once."""
    found = _ids(header or "")
    if found:
        return found[0]
    return f"<sha256.{hashlib.sha256(raw).hexdigest()}@chatdesk.invalid>"


def parse_mail(raw: bytes, max_file_bytes: int = MAX_FILE_BYTES) -> IncomingMail:
    notes: list[tuple[str, dict[str, object]]] = []
    try:
        msg: Message = message_from_bytes(raw, policy=policy.default)
        subject = _header(msg, "Subject")  # the modern policy's parsing fails on use, if at all
    except Exception:  # noqa: BLE001 - whatever the parser trips on, read it the old way
        msg = message_from_bytes(raw, policy=policy.compat32)
        notes.append(("The message's headers are malformed; what could be read is shown.", {}))
        subject = _header(msg, "Subject")
    if msg.defects:
        notes.append(("The message is not well-formed MIME; what could be read is shown.", {}))
    address, name = _sender(msg)
    if not address:
        notes.append(("The message has no readable sender address.", {}))
    message_id = message_id_of(raw, _header(msg, "Message-ID"))
    mail = IncomingMail(message_id, address, name, subject.strip(), "",
                        tuple(_ids(_header(msg, "In-Reply-To"))),
                        tuple(_ids(_header(msg, "References"))), notes=notes,
                        language=_language(msg))
    mail.automatic = automatic_reason(msg, address)
    _read_body(msg, mail, max_file_bytes)
    if not mail.subject and not mail.text.strip() and not mail.files:
        mail.note("The message has neither a subject nor any text.")
    return mail


def automatic_reason(msg: Message, address: str) -> str | None:
    """Why a message is not a person writing (RFC 3834 Auto-Submitted, Precedence, a
    delivery report, a robot's address, our own loop header); None when it is a person."""
    auto = _header(msg, "Auto-Submitted").strip().lower()
    if auto and auto != "no":
        return f"Auto-Submitted: {auto}"
    precedence = _header(msg, "Precedence").strip().lower()
    if precedence in AUTO_PRECEDENCE:
        return f"Precedence: {precedence}"
    for name in ("X-Autoreply", "X-Autorespond"):
        value = _header(msg, name).strip().lower()
        if value:
            return f"{name}: {value}"
    if msg.get_content_type() == "multipart/report":
        return "a delivery report (bounce)"
    if _header(msg, LOOP_HEADER):
        return "our own message came back (loop)"
    local = address.partition("@")[0]
    if local and any(local.startswith(robot) for robot in ROBOT_SENDERS):
        return f"sent by {local}"
    return None


def _header(msg: Message, name: str) -> str:
    try:
        value = msg.get(name)
    except Exception:  # noqa: BLE001 - a header the modern policy cannot parse
        raw = dict(msg.raw_items()).get(name) if hasattr(msg, "raw_items") else None
        return _decode_header(str(raw or ""))
    if value is None:
        return ""
    text = str(value)
    return _decode_header(text) if "=?" in text else text


def _decode_header(text: str) -> str:
    from email.header import decode_header

    parts = []
    try:
        for chunk, charset in decode_header(text):
            parts.append(chunk if isinstance(chunk, str) else _decode(chunk, charset)[0])
    except Exception:  # noqa: BLE001
        return text
    return "".join(parts)


def _ids(value: str) -> list[str]:
    return re.findall(r"<[^<>\s]+>", value or "")


def _sender(msg: Message) -> tuple[str, str]:
    for header in ("Reply-To", "From", "Sender", "Return-Path"):
        try:
            value = msg.get(header)
        except Exception:  # noqa: BLE001
            value = None
        if value is None:
            continue
        addresses = getattr(value, "addresses", None)
        if addresses:
            first: Address = addresses[0]
            if "@" in first.addr_spec:
                return first.addr_spec.lower(), str(first.display_name or "").strip()
        name, addr = parseaddr(str(value))
        if "@" in addr:
            return addr.lower(), name.strip()
        found = getaddresses([str(value)])
        if found and "@" in found[0][1]:
            return found[0][1].lower(), found[0][0].strip()
    return "", ""


def _language(msg: Message) -> str | None:
    value = _header(msg, "Content-Language").strip().lower()
    return value.split(",")[0].split("-")[0].strip() or None


def _decode(data: bytes, charset: str | None) -> tuple[str, bool]:
    """The text, and whether it had to be guessed (an unknown or a wrong charset)."""
    if charset:
        try:
            return data.decode(charset), False
        except (LookupError, UnicodeDecodeError):
            pass
    if data.isascii():
        return data.decode("ascii"), False
    for candidate in FALLBACK_CHARSETS:
        try:
            text = data.decode(candidate)
        except UnicodeDecodeError:
            continue
        if candidate == "utf-8" or _looks_cyrillic(text):
            return text, bool(charset) or candidate != "utf-8"
    return data.decode("utf-8", errors="replace"), True


def _looks_cyrillic(text: str) -> bool:
    letters = [ch for ch in text if ch.isalpha()]
    cyrillic = sum(1 for ch in letters if "\u0400" <= ch <= "\u04ff")
    lower = sum(1 for ch in letters if "а" <= ch <= "я")  # koi8-r read as cp1251 is SHOUTING
    return bool(letters) and cyrillic >= len(letters) / 2 and lower >= cyrillic / 2


def _read_body(msg: Message, mail: IncomingMail, max_file_bytes: int) -> None:
    plain: list[str] = []
    htmls: list[str] = []
    guessed = False
    parts = msg.walk() if msg.is_multipart() else iter([msg])
    for part in parts:
        kind = part.get_content_type()
        if kind in ENCRYPTED:
            mail.note("The message is encrypted (PGP or S/MIME); it cannot be read here. Ask "
                      "the client to write without encryption.")
            return
        if part.is_multipart():
            continue
        try:
            decoded = part.get_payload(decode=True)
            data = decoded if isinstance(decoded, bytes) else b""
        except Exception:  # noqa: BLE001 - a broken transfer encoding
            payload = part.get_payload()
            data = payload.encode("utf-8", "replace") if isinstance(payload, str) else b""
            mail.note("A part of the message could not be decoded.")
        disposition = (part.get_content_disposition() or "").lower()
        filename = _filename(part)
        if kind in ("text/plain", "text/html") and disposition != "attachment" \
                and not filename:
            text, unsure = _decode(data, part.get_content_charset())
            guessed = guessed or unsure
            (plain if kind == "text/plain" else htmls).append(text)
            continue
        if kind == "message/delivery-status":
            continue
        name = filename or f"attachment.{kind.partition('/')[2] or 'bin'}"
        if len(data) > max_file_bytes:
            mail.note("The file {name} ({size} KB) is larger than {limit} KB and was not "
                      "kept.", name=name, size=len(data) // 1024, limit=max_file_bytes // 1024)
            continue
        mail.files.append(MailFile(name, kind, data))
    if guessed:
        mail.note("The message's character set was missing or wrong; the text was read as "
                  "best it could be.")
    mail.text = "\n".join(plain).strip() if any(p.strip() for p in plain) else \
        html_to_text("\n".join(htmls))


def _filename(part: Message) -> str | None:
    try:
        name = part.get_filename()
    except Exception:  # noqa: BLE001
        return None
    if not name:
        return None
    name = _decode_header(str(name)) if "=?" in str(name) else str(name)
    return name.replace("/", "_").replace("\\", "_").strip()[:200] or None


_PARAGRAPHS = re.compile(r"<\s*/p\s*>", re.I)
_BLOCKS = re.compile(r"<\s*(br|/div|/tr|/li|/h[1-6]|/blockquote)\b[^>]*>", re.I)
_DROP = re.compile(r"<(script|style|head)\b.*?</\1\s*>", re.I | re.S)
_QUOTES = re.compile(r"<blockquote\b.*?</blockquote\s*>", re.I | re.S)
_TAGS = re.compile(r"<[^>]+>")


def html_to_text(markup: str) -> str:
    """An HTML body as plain text; a quoted reply (<blockquote>) becomes ">" lines."""
    text = _DROP.sub("", markup)
    text = _QUOTES.sub(lambda m: "\n" + "\n".join(
        "> " + line for line in html_to_text(m.group(0)[m.group(0).find(">") + 1:])
        .splitlines()) + "\n", text)
    text = _BLOCKS.sub("\n", _PARAGRAPHS.sub("\n\n", text))
    text = html.unescape(_TAGS.sub("", text))
    lines = [line.strip() for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
