"""``TelegramEmulator``: a Telegram Bot API server on 127.0.0.1 for tests and the sandbox.

It owns the emulated world (:class:`~.state.EmulatorState`), serves the Bot API on a free
port (``base_url``; point aiogram at it with
``AiohttpSession(api=TelegramAPIServer.from_base(emulator.base_url))``) and offers the
control API as Python methods: set up users and forum supergroups, inject what users do,
read back what the bot did, and ``await wait_for(...)`` a condition.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

from aiohttp import web

from emulators.common import ServedEmulator

from .dispatch import execute
from .errors import ControlError
from .inject import (
    Attachment,
    InjectedUpdate,
    inject_callback_query,
    inject_edited_message,
    inject_group_message,
    inject_private_message,
    inject_raw_update,
)
from .limits import RateLimiter, RateLimits
from .methods_forum import create_topic
from .models import Chat, ForumTopic, Member, MemberStatus, StoredMessage, User
from .readback import EmulatorReadback
from .server import create_app
from .state import EmulatorState
from .validation import ApiSpec
from .webhook import WebhookDeliverer, WebhookRetry

T = TypeVar("T")


class TelegramEmulator(ServedEmulator, EmulatorReadback):
    """An emulated Telegram server for one bot.

    ``token``: accept only this bot token (by default the first token used is bound and
    any other answers 401).  ``rate_limits``/``clock``: flood limits and the real-time
    clock they run on.  ``webhook_retry``: backoff of webhook redelivery.
    """

    def __init__(
        self,
        *,
        token: str | None = None,
        rate_limits: RateLimits | None = None,
        clock: Callable[[], float] | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        webhook_retry: WebhookRetry | None = None,
        bot_username: str = "chatdesk_test_bot",
        bot_first_name: str = "ChatDesk Test Bot",
    ) -> None:
        self.spec = ApiSpec.load()
        self.state = EmulatorState()
        self.state.bot.username = bot_username
        self.state.bot.first_name = bot_first_name
        if token is not None:
            self.state.bind_token(token)
        self.limiter = RateLimiter(rate_limits, clock)
        self._serve_on(host, port)
        self._delivery = WebhookDeliverer(
            self.state, webhook_retry or WebhookRetry(), self._webhook_reply
        )
        self.app_setups: list[Callable[[web.Application], None]] = []
        """Called with the aiohttp app before it starts, to add routes (the sandbox page)."""

    # -- lifecycle (start, stop, base_url: emulators.common.ServedEmulator) ------------

    def _app(self) -> web.Application:
        app = create_app(self)
        for setup in self.app_setups:
            setup(app)
        return app

    @property
    def token(self) -> str | None:
        """The bot token in use (the first one seen unless given)."""
        return self.state.token

    @property
    def bot_user(self) -> User:
        return self.state.bot

    def accept_token(self, token: str) -> bool:
        """Bind the first token seen; refuse others but the helper bots' (`add_helper_bot`)."""
        if token in self.state.helpers:
            return True
        if self.state.token is None:
            self.state.bind_token(token)
        return token == self.state.token

    def add_helper_bot(self, token: str, username: str, chat_ids: Iterable[int] = ()) -> User:
        """Another bot (its id the token's numeric prefix) that is an administrator of the
        given groups: it posts there with limits of its own, and presses on buttons of its
        messages go to it, not to the main bot."""
        prefix = token.split(":", 1)[0]
        if not prefix.isdigit():
            raise ControlError("a helper bot's token starts with its numeric id")
        helper = User(int(prefix), username, is_bot=True, username=username)
        self.state.helpers[token] = helper
        for chat_id in chat_ids:
            self.state.add_member(self.state.chat_or_control_error(chat_id), helper,
                                  "administrator")
        return helper

    def bot_posts(self, bot_id: int, chat_id: int) -> list[StoredMessage]:
        """What one bot (the main one or a helper) posted into a chat, service messages
        included."""
        return [m for m in self.state.chat_messages(chat_id) if m.sender.id == bot_id]

    async def call(self, method: str, **params: Any) -> tuple[int, dict[str, Any]]:
        """Run a Bot API call in-process (as the bot would); returns status and body."""
        return await execute(self.state, self.spec, self.limiter, method, params, {})

    def route_webhook(self, public: str, local: str) -> None:
        """Deliver webhook updates registered under the `public` URL prefix to `local`
        (a TLS-ending proxy's job in front of a real bot)."""
        self._delivery.route(public, local)

    async def _webhook_reply(self, payload: dict[str, Any]) -> None:
        params = {k: v for k, v in payload.items() if k != "method"}
        await self.call(str(payload["method"]), **params)

    # -- setting up the world -------------------------------------------------------------

    def add_user(
        self,
        user_id: int,
        first_name: str | None = None,
        *,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = None,
    ) -> User:
        """Create or update a user and their private chat with the bot."""
        user = self.state.ensure_user(
            user_id,
            first_name,
            last_name=last_name,
            username=username,
            language_code=language_code,
        )
        self.state.private_chat(user)
        self.state.changed()
        return user

    def set_blocked(self, user_id: int, blocked: bool = True) -> None:
        """Make a user block (or unblock) the bot: sends to them answer 403."""
        if blocked:
            self.state.blocked_by.add(user_id)
        else:
            self.state.blocked_by.discard(user_id)
        self.state.changed()

    def create_supergroup(
        self,
        title: str,
        *,
        chat_id: int | None = None,
        username: str | None = None,
        forum: bool = True,
        members: Iterable[Mapping[str, Any]] = (),
    ) -> Chat:
        """A supergroup (a forum by default) with the bot as admin; ``members`` are
        dicts of :meth:`add_member` arguments."""
        chat = self.state.create_supergroup(title, chat_id=chat_id, username=username, forum=forum)
        for member in members:
            self.add_member(chat.id, **member)
        return chat

    def add_member(
        self,
        chat_id: int,
        user_id: int,
        first_name: str | None = None,
        *,
        last_name: str | None = None,
        username: str | None = None,
        admin: bool = False,
        owner: bool = False,
    ) -> Member:
        """Add (or re-add) a user to a group as member, administrator or owner."""
        chat = self.state.chat_or_control_error(chat_id)
        if not chat.is_group:
            raise ControlError(f"chat {chat_id} is not a group")
        user = self.state.ensure_user(user_id, first_name, last_name=last_name, username=username)
        status: MemberStatus = "creator" if owner else "administrator" if admin else "member"
        return self.state.add_member(chat, user, status)

    def create_topic(
        self,
        chat_id: int,
        name: str,
        *,
        user_id: int,
        icon_color: int | None = None,
    ) -> ForumTopic:
        """A topic created by a human member; the bot receives the service message."""
        chat = self.state.chat_or_control_error(chat_id)
        user = self.state.users.get(user_id)
        if user is None or user_id not in chat.members:
            raise ControlError(f"user {user_id} is not a member of chat {chat_id}")
        try:
            topic = create_topic(self.state, chat, user, name, icon_color)
        except Exception as exc:
            raise ControlError(str(exc)) from None
        creation = self.state.get_message(chat.id, topic.message_thread_id)
        assert creation is not None
        self.state.push_update("message", creation.to_api())
        return topic

    def reserve_message_ids(self, chat_id: int, up_to: int) -> None:
        """Number the chat's next messages after ``up_to``: a fresh world must not reuse the
        message and topic ids a bot remembers from an earlier one (the sandbox restarts)."""
        known = self.state._next_message_id
        known[chat_id] = max(known.get(chat_id, 0), up_to)

    def archive_topic(self, chat_id: int, thread_id: int) -> None:
        """The topic answers "message thread not found" from now on (Telegram's behaviour
        for old topics of a forum past its message ceiling)."""
        topic = self.state.topics.get(chat_id, {}).get(thread_id)
        if topic is None:
            raise ControlError(f"no topic {thread_id} in chat {chat_id}")
        topic.archived = True
        self.state.changed()

    def set_rate_limits(self, limits: RateLimits) -> None:
        self.limiter.limits = limits
        self.limiter.reset()

    # -- injecting what users do ---------------------------------------------------------------

    def inject_private_message(
        self,
        user_id: int,
        text: str | None = None,
        *,
        photo: bytes | None = None,
        document: bytes | None = None,
        voice: bytes | None = None,
        video: bytes | None = None,
        sticker: bytes | None = None,
        filename: str | None = None,
        mime_type: str | None = None,
        caption: str | None = None,
        contact: Mapping[str, Any] | None = None,
        entities: list[dict[str, Any]] | None = None,
        first_name: str | None = None,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = None,
        reply_to_message_id: int | None = None,
    ) -> InjectedUpdate:
        """A client writes to the bot: text, one file, or a contact (``phone_number``)."""
        user = self.state.ensure_user(
            user_id,
            first_name,
            last_name=last_name,
            username=username,
            language_code=language_code,
        )
        attachment = _attachment(photo, document, voice, video, sticker, filename, mime_type)
        return inject_private_message(
            self.state,
            user,
            text=text,
            entities=entities,
            attachment=attachment,
            caption=caption,
            contact=dict(contact) if contact is not None else None,
            reply_to_message_id=reply_to_message_id,
        )

    def inject_group_message(
        self,
        chat_id: int,
        user_id: int,
        text: str | None = None,
        *,
        message_thread_id: int | None = None,
        reply_to_message_id: int | None = None,
        photo: bytes | None = None,
        document: bytes | None = None,
        voice: bytes | None = None,
        video: bytes | None = None,
        sticker: bytes | None = None,
        filename: str | None = None,
        mime_type: str | None = None,
        caption: str | None = None,
        entities: list[dict[str, Any]] | None = None,
        first_name: str | None = None,
        username: str | None = None,
    ) -> InjectedUpdate:
        """A member writes in a group, optionally inside a forum topic."""
        user = self.state.ensure_user(user_id, first_name, username=username)
        attachment = _attachment(photo, document, voice, video, sticker, filename, mime_type)
        return inject_group_message(
            self.state,
            chat_id,
            user,
            text=text,
            entities=entities,
            attachment=attachment,
            caption=caption,
            message_thread_id=message_thread_id,
            reply_to_message_id=reply_to_message_id,
        )

    def inject_callback_query(
        self,
        chat_id: int,
        message_id: int,
        data: str,
        *,
        user_id: int | None = None,
        forge: bool = False,
    ) -> InjectedUpdate:
        """A user presses the inline button with ``data`` (checked unless ``forge``)."""
        user = self.state.ensure_user(user_id) if user_id is not None else None
        return inject_callback_query(self.state, chat_id, message_id, data, user=user, forge=forge)

    def inject_edited_message(
        self,
        chat_id: int,
        message_id: int,
        *,
        text: str | None = None,
        caption: str | None = None,
    ) -> InjectedUpdate:
        """A user edits their message."""
        return inject_edited_message(self.state, chat_id, message_id, text=text, caption=caption)

    def inject_update(self, kind: str, payload: dict[str, Any]) -> InjectedUpdate:
        """Queue any update object verbatim (``kind`` is its field, e.g. ``my_chat_member``)."""
        return inject_raw_update(self.state, kind, payload)


def _attachment(
    photo: bytes | None,
    document: bytes | None,
    voice: bytes | None,
    video: bytes | None,
    sticker: bytes | None,
    filename: str | None,
    mime_type: str | None,
) -> Attachment | None:
    given = {
        kind: data
        for kind, data in (
            ("photo", photo),
            ("document", document),
            ("voice", voice),
            ("video", video),
            ("sticker", sticker),
        )
        if data is not None
    }
    if len(given) > 1:
        raise ControlError("a message carries at most one file")
    if not given:
        return None
    kind, data = next(iter(given.items()))
    return Attachment(kind, data, filename, mime_type)
