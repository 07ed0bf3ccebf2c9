"""Files the emulated Telegram server knows: uploads from the bot and media injected by tests.

Each stored file gets a ``file_id``, a ``file_unique_id`` and a ``file_path`` under which
``GET /file/bot<token>/<file_path>`` serves its bytes, as the real download endpoint does.
"""

from __future__ import annotations

import mimetypes
import struct
from dataclasses import dataclass, field
from typing import Any

from .errors import bad_request

MAX_DOWNLOAD_SIZE = 20 * 1024 * 1024
"""Bots may download files up to 20 MB through getFile."""

MAX_UPLOAD_SIZE = 50 * 1024 * 1024
"""Bots may upload files up to 50 MB."""

_FOLDERS = {
    "photo": "photos",
    "document": "documents",
    "voice": "voice",
    "video": "videos",
    "sticker": "stickers",
    "audio": "music",
    "animation": "animations",
}
_DEFAULT_MIME = {
    "photo": "image/jpeg",
    "voice": "audio/ogg",
    "video": "video/mp4",
    "sticker": "image/webp",
    "audio": "audio/mpeg",
    "animation": "video/mp4",
    "document": "application/octet-stream",
}


@dataclass(frozen=True)
class Upload:
    """A file part of a multipart request."""

    filename: str
    content_type: str
    data: bytes


@dataclass
class StoredFile:
    """A file held by the emulator."""

    file_id: str
    file_unique_id: str
    kind: str
    file_path: str
    data: bytes
    filename: str | None = None
    mime_type: str | None = None
    source_url: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def size(self) -> int:
        return len(self.data)

    def to_file(self) -> dict[str, Any]:
        """The Bot API ``File`` object returned by getFile."""
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": self.size,
            "file_path": self.file_path,
        }

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly description for the control API (without the bytes)."""
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "kind": self.kind,
            "file_path": self.file_path,
            "file_name": self.filename,
            "mime_type": self.mime_type,
            "file_size": self.size,
            "source_url": self.source_url,
        }


class FileStore:
    """All files, addressable by ``file_id`` and by ``file_path``."""

    def __init__(self) -> None:
        self._by_id: dict[str, StoredFile] = {}
        self._by_path: dict[str, StoredFile] = {}
        self._counter = 0

    def add(
        self,
        kind: str,
        data: bytes,
        *,
        filename: str | None = None,
        mime_type: str | None = None,
        source_url: str | None = None,
    ) -> StoredFile:
        """Store bytes as a new file of ``kind`` (photo, document, voice, ...)."""
        self._counter += 1
        n = self._counter
        mime = mime_type or (mimetypes.guess_type(filename)[0] if filename else None)
        mime = mime or _DEFAULT_MIME.get(kind, "application/octet-stream")
        ext = ""
        if filename and "." in filename:
            ext = "." + filename.rsplit(".", 1)[1].lower()
        else:
            ext = mimetypes.guess_extension(mime) or ""
        stored = StoredFile(
            file_id=f"{kind.upper()[:3]}AgAD{n:06d}",
            file_unique_id=f"AQAD{n:06d}",
            kind=kind,
            file_path=f"{_FOLDERS.get(kind, 'documents')}/file_{n}{ext}",
            data=data,
            filename=filename,
            mime_type=mime,
            source_url=source_url,
        )
        self._by_id[stored.file_id] = stored
        self._by_path[stored.file_path] = stored
        return stored

    def get(self, file_id: str) -> StoredFile | None:
        return self._by_id.get(file_id)

    def by_path(self, path: str) -> StoredFile | None:
        return self._by_path.get(path)

    def all(self) -> list[StoredFile]:
        return list(self._by_id.values())

    def resolve(self, value: Upload | str, kind: str, uploads: dict[str, Upload]) -> StoredFile:
        """Turn a send* file argument (upload, ``attach://``, file_id or URL) into a file.

        Raises :class:`~.errors.ApiError` as Telegram would for unknown ids or a kind
        mismatch.  HTTP URLs cannot be fetched offline and become empty placeholder files.
        """
        if isinstance(value, str) and value.startswith("attach://"):
            upload = uploads.get(value[len("attach://") :])
            if upload is None:
                raise bad_request("wrong file identifier/HTTP URL specified")
            value = upload
        if isinstance(value, Upload):
            if not value.data:
                raise bad_request("file must be non-empty")
            if len(value.data) > MAX_UPLOAD_SIZE:
                raise bad_request("file is too big")
            ctype = value.content_type
            mime = None if ctype in ("", "application/octet-stream") else ctype
            return self.add(kind, value.data, filename=value.filename, mime_type=mime)
        if value.startswith(("http://", "https://")):
            return self.add(kind, b"", filename=value.rsplit("/", 1)[-1], source_url=value)
        stored = self.get(value)
        if stored is None:
            raise bad_request("wrong file identifier/HTTP URL specified")
        if stored.kind != kind:
            raise bad_request(
                f"can't use file of type {stored.kind.capitalize()} as {kind.capitalize()}"
            )
        return stored


def image_size(data: bytes) -> tuple[int, int] | None:
    """Width and height of a PNG, GIF or JPEG image, or None when not recognised."""
    if data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return int(width), int(height)
    if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        width, height = struct.unpack("<HH", data[6:10])
        return int(width), int(height)
    if data[:2] == b"\xff\xd8":
        i = 2
        while i + 9 < len(data):
            if data[i] != 0xFF:
                return None
            marker = data[i + 1]
            seg_len = struct.unpack(">H", data[i + 2 : i + 4])[0]
            if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
                height, width = struct.unpack(">HH", data[i + 5 : i + 9])
                return int(width), int(height)
            i += 2 + seg_len
    return None
