"""Sending files in messages the VK way: `photos.getMessagesUploadServer` /
`docs.getMessagesUploadServer` give an upload URL on this server, the file is POSTed there
(multipart field `photo` or `file`), and `photos.saveMessagesPhoto` / `docs.save` turn the
upload's answer into a photo or document the community may attach to messages.send as
`photo<owner>_<id>` / `doc<owner>_<id>`. Saved files are served under `/files/`."""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from aiohttp import web

from .errors import VkError, param_error

if TYPE_CHECKING:
    from .emulator import VkEmulator

SAVE_FILE = 105  # "Couldn't save file"
UPLOAD_SERVER = 1  # the id VK gives its upload server in the answer


@dataclass
class Upload:
    """A file POSTed to an upload URL, waiting to be saved."""

    kind: str  # photo or doc
    name: str
    data: bytes
    mime_type: str
    peer_id: int | None


@dataclass
class SavedMedia:
    kind: str
    owner_id: int
    id: int
    name: str
    data: bytes
    mime_type: str
    access_key: str

    @property
    def reference(self) -> str:
        return f"{self.kind}{self.owner_id}_{self.id}"


class VkUploads:
    def __init__(self, emulator: VkEmulator) -> None:
        self.emulator = emulator
        self.pending: dict[str, Upload] = {}  # upload key -> file
        self.saved: dict[str, SavedMedia] = {}  # reference -> media
        self.failures = 0  # upload requests still to answer with HTTP 500

    def upload_url(self, kind: str, params: Mapping[str, str]) -> dict[str, Any]:
        peer = params.get("peer_id", "").strip()
        token = secrets.token_urlsafe(12)
        self.pending[token] = Upload(kind, "", b"", "", int(peer) if peer else None)
        url = f"{self.emulator.base_url}/upload/{kind}/{token}"
        answer: dict[str, Any] = {"upload_url": url}
        if kind == "photo":
            answer.update(album_id=-3, group_id=self.emulator.group_id)
        return answer

    async def receive(self, request: web.Request) -> web.Response:
        """The upload server: the file in, the fields to save it with out."""
        if self.failures:
            self.failures -= 1
            raise web.HTTPInternalServerError(text="upload server unavailable")
        kind, token = request.match_info["kind"], request.match_info["token"]
        upload = self.pending.get(token)
        if upload is None or upload.kind != kind:
            return web.json_response({"error": "invalid upload url"})
        form = await request.post()
        field = form.get("photo" if kind == "photo" else "file")
        if not isinstance(field, web.FileField):
            return web.json_response({"error": "no file"})
        upload.name, upload.data = field.filename, field.file.read()
        upload.mime_type = field.content_type
        if kind == "doc":
            return web.json_response({"file": token})
        return web.json_response({"server": UPLOAD_SERVER, "hash": secrets.token_hex(8),
                                  "photo": json.dumps([{"token": token}])})

    def save_photo(self, params: Mapping[str, str]) -> list[dict[str, Any]]:
        try:
            token = json.loads(params["photo"])[0]["token"]
        except (ValueError, KeyError, IndexError, TypeError):
            raise param_error("photo is invalid") from None
        media = self._save(token, "photo")
        return [{"id": media.id, "album_id": -3, "owner_id": media.owner_id,
                 "access_key": media.access_key, "date": int(time.time()), "text": "",
                 "sizes": [{"type": "x", "width": 604, "height": 453,
                            "url": self.url(media)}]}]

    def save_doc(self, params: Mapping[str, str]) -> dict[str, Any]:
        media = self._save(params["file"], "doc", params.get("title"))
        ext = media.name.rsplit(".", 1)[-1] if "." in media.name else ""
        return {"type": "doc", "doc": {
            "id": media.id, "owner_id": media.owner_id, "title": media.name,
            "size": len(media.data), "ext": ext, "url": self.url(media),
            "date": int(time.time()), "type": 1 if ext == "pdf" else 8}}

    def _save(self, token: str, kind: str, title: str | None = None) -> SavedMedia:
        upload = self.pending.pop(token, None)
        if upload is None or upload.kind != kind or not upload.data:
            raise VkError(SAVE_FILE, "the file was not uploaded")
        media = SavedMedia(kind, -self.emulator.group_id, len(self.saved) + 1,
                           title or upload.name, upload.data, upload.mime_type,
                           secrets.token_hex(8))
        self.saved[media.reference] = media
        return media

    def url(self, media: SavedMedia) -> str:
        return f"{self.emulator.base_url}/media/{media.reference}"

    def check_attachments(self, raw: str) -> None:
        """messages.send's `attachment`: each a saved photo or document of this community."""
        for item in raw.split(","):
            reference = "_".join(item.strip().split("_")[:2])
            if reference not in self.saved:
                raise param_error(f"attachment {item.strip()} is not found")

    async def serve(self, request: web.Request) -> web.Response:
        media = self.saved.get(request.match_info["reference"])
        if media is None:
            raise web.HTTPNotFound()
        return web.Response(body=media.data, content_type=media.mime_type)


UPLOAD_METHODS = {
    "photos.getMessagesUploadServer": lambda u, p: u.upload_url("photo", p),
    "docs.getMessagesUploadServer": lambda u, p: u.upload_url("doc", p),
    "photos.saveMessagesPhoto": lambda u, p: u.save_photo(p),
    "docs.save": lambda u, p: u.save_doc(p),
}
