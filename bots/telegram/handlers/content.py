"""What a Telegram message carries, as the core takes it: text, file attachments (by the
Telegram file id) and, for a shared contact, a phone number."""

from __future__ import annotations

from dataclasses import dataclass

from aiogram.types import Message

from core.tickets import Attachment

# Everything a person can send that we keep; service messages (topic created, member
# joined, pinned, ...) are none of these and are left alone.
CONTENT_TYPES = frozenset({
    "text", "photo", "document", "voice", "video", "video_note", "audio", "animation",
    "sticker", "contact", "location", "venue", "poll", "dice",
})


@dataclass(frozen=True)
class Content:
    text: str
    attachments: tuple[Attachment, ...] = ()
    phone: str | None = None


def message_content(message: Message) -> Content:
    text = message.text or message.caption or ""
    files = _attachments(message)
    if files:
        return Content(text, files)
    if message.sticker:
        return Content(f"[sticker {message.sticker.emoji or ''}]".replace(" ]", "]"))
    if message.contact:
        return _contact(message)
    if message.location and not message.venue:
        loc = message.location
        return Content(f"[location {loc.latitude:.6f}, {loc.longitude:.6f}]")
    if message.venue:
        venue = message.venue
        return Content(f"[venue {venue.title}, {venue.address}]")
    if message.poll:
        return Content(f"[poll {message.poll.question}]")
    if message.dice:
        return Content(f"[dice {message.dice.emoji} {message.dice.value}]")
    return Content(text)


def _attachments(message: Message) -> tuple[Attachment, ...]:
    if message.photo:
        photo = message.photo[-1]  # the largest size
        return (Attachment("photo", photo.file_id, None, "image/jpeg", photo.file_size),)
    if message.animation:  # also sent as a document; keep it as the animation it is
        a = message.animation
        return (Attachment("animation", a.file_id, a.file_name, a.mime_type, a.file_size),)
    if message.document:
        d = message.document
        return (Attachment("document", d.file_id, d.file_name, d.mime_type, d.file_size),)
    if message.voice:
        v = message.voice
        return (Attachment("voice", v.file_id, None, v.mime_type, v.file_size),)
    if message.video:
        v2 = message.video
        return (Attachment("video", v2.file_id, v2.file_name, v2.mime_type, v2.file_size),)
    if message.video_note:
        n = message.video_note
        return (Attachment("video_note", n.file_id, None, "video/mp4", n.file_size),)
    if message.audio:
        a2 = message.audio
        return (Attachment("audio", a2.file_id, a2.file_name, a2.mime_type, a2.file_size),)
    return ()


def _contact(message: Message) -> Content:
    contact = message.contact
    assert contact is not None
    name = " ".join(p for p in (contact.first_name, contact.last_name) if p)
    text = f"[contact {name}, {contact.phone_number}]" if name else (
        f"[contact {contact.phone_number}]")
    # Only the client's own number is theirs; a friend's card is just a message.
    own = message.from_user is not None and contact.user_id == message.from_user.id
    return Content(text, phone=contact.phone_number if own else None)
