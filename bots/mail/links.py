"""The links of a resolution mail: confirm, reopen and the five stars, each one click. A link
names its ticket, the action and when it expires, signed with HMAC-SHA256 of the secret key
(it cannot be guessed, altered or used after it expires); opening it acts for the ticket's
client and answers a page in their language, with a box for a comment after the stars.
A link opened twice (a mail scanner, a second click) acts once: its action is recorded like
any update, and a press that no longer applies changes nothing."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
from datetime import datetime, timedelta

from aiohttp import web
from markupsafe import escape

from bots.i18n import Translator, translator
from bots.resolution import ASK_COMMENT, Answered
from bots.telegram.handlers.errors import describe
from core import commands as c
from core.errors import AlreadyHandled, DomainError
from core.outbox import InboundRef
from core.services import Desk
from storage.lists import TicketLists

log = logging.getLogger(__name__)

PATH = "/mail/act/{token}"
TTL = timedelta(days=30)
ACTIONS = ("confirm", "reopen", "rate")


class ActionLinks:
    def __init__(self, base_url: str, secret: str, desk: Desk | None = None,
                 lists: TicketLists | None = None, default_language: str = "en",
                 ttl: timedelta = TTL) -> None:
        self.base_url = base_url.rstrip("/")
        self.key = hashlib.sha256(b"chatdesk mail actions\0" + secret.encode()).digest()
        self.desk = desk
        self.lists = lists or TicketLists()
        self.default_language = default_language
        self.ttl = ttl

    def url(self, action: str, now: datetime) -> str:
        """The link of a button's action ("rate:12:5", "confirm:12")."""
        expires = int((now + self.ttl).timestamp())
        body = _b64(json.dumps([action, expires], separators=(",", ":")).encode())
        return f"{self.base_url}/mail/act/{body}.{self._sign(body)}"

    def _sign(self, body: str) -> str:
        return _b64(hmac.new(self.key, body.encode(), hashlib.sha256).digest())

    def opened(self, token: str, now: datetime) -> str | None:
        """The action of a valid, unexpired link; None otherwise."""
        body, _, signature = token.partition(".")
        if not hmac.compare_digest(signature.encode(), self._sign(body).encode()):
            return None
        try:
            action, expires = json.loads(base64.urlsafe_b64decode(body + "=="))
        except (ValueError, TypeError):
            return None
        if not isinstance(action, str) or action.split(":")[0] not in ACTIONS:
            return None
        return action if now.timestamp() <= int(expires) else None

    def add_routes(self, app: web.Application) -> None:
        app.router.add_get(PATH, self.serve)
        app.router.add_post(PATH, self.comment)

    async def serve(self, request: web.Request) -> web.Response:
        token = request.match_info["token"]
        action = self.opened(token, datetime.now().astimezone())
        if action is None or self.desk is None:
            return _page(translator(None, "client", self.default_language),
                         "This link is not valid or has expired.", status=404)
        name, *numbers = action.split(":")
        ticket_id = int(numbers[0])
        brief = await self.lists.brief(ticket_id)
        if brief is None:
            return _page(translator(None, "client", self.default_language),
                         "This link is not valid or has expired.", status=404)
        _ = translator(await self._language(brief.contact_id), "client",
                       self.default_language)
        before = Answered(brief.number, brief.status, brief.rating)
        if before.stale(name):
            return _page(_, before.refusal(_, name))
        source = InboundRef("email", "link:" + hashlib.sha256(token.encode()).hexdigest())
        try:
            if name == "confirm":
                await self.desk.handle(c.ClientClosesTicket(brief.contact_id, ticket_id),
                                       source=source)
                return _page(_, _("Ticket #{number} is closed. Thank you!",
                                  number=brief.number))
            if name == "reopen":
                await self.desk.handle(c.ClientReopensTicket(brief.contact_id, ticket_id),
                                       source=source)
                return _page(_, _("Ticket #{number} is open again. Tell us what is still "
                                  "wrong.", number=brief.number))
            await self.desk.handle(c.ClientRatesTicket(brief.contact_id, ticket_id,
                                                       int(numbers[1])), source=source)
        except AlreadyHandled:
            pass  # opened before: what it did stands
        except DomainError as error:
            return _page(_, describe(error, _))
        return _page(_, _("Thank you for your rating!"), comment_to=request.path,
                     ask=_(ASK_COMMENT))

    async def comment(self, request: web.Request) -> web.Response:
        token = request.match_info["token"]
        action = self.opened(token, datetime.now().astimezone())
        form = await request.post()
        text = str(form.get("comment") or "").strip()[:4000]
        if action is None or not action.startswith("rate:") or self.desk is None:
            return _page(translator(None, "client", self.default_language),
                         "This link is not valid or has expired.", status=404)
        _, ticket, score = action.split(":")
        brief = await self.lists.brief(int(ticket))
        tr = translator(await self._language(brief.contact_id) if brief else None, "client",
                        self.default_language)
        if brief is None or brief.rating is None or not text:
            return _page(tr, "Thank you!")
        try:
            await self.desk.handle(c.ClientRatesTicket(brief.contact_id, brief.id,
                                                       brief.rating, text))
        except DomainError as error:
            return _page(tr, describe(error, tr))
        return _page(tr, tr("Thank you for your comment!"))

    async def _language(self, contact_id: int) -> str | None:
        assert self.desk is not None
        async with self.desk.uow_factory() as uow:
            return (await uow.contacts.get(contact_id)).language


def _page(_: Translator, text: str, *, status: int = 200, comment_to: str | None = None,
          ask: str = "") -> web.Response:
    direction = "rtl" if _.rtl else "ltr"
    form = ""
    if comment_to:
        form = (f'<form method="post" action="{escape(comment_to)}"><p>{escape(ask)}</p>'
                f'<textarea name="comment" rows="4" cols="50"></textarea><p>'
                f'<button type="submit">{escape(_("Add a comment"))}</button></p></form>')
    body = (f'<!doctype html><html lang="{_.language}" dir="{direction}"><head>'
            f'<meta charset="utf-8"><meta name="viewport" content="width=device-width">'
            f"<title>{escape(_(text))}</title></head><body><p>{escape(_(text))}</p>{form}"
            f"</body></html>")
    return web.Response(text=body, status=status, content_type="text/html",
                        headers={"Cache-Control": "no-store",
                                 "X-Content-Type-Options": "nosniff"})


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")
