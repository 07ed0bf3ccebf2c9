"""The table of implemented Bot API methods and the context each handler receives.

Handler modules register functions with ``@bot_method("sendMessage", ...)``; a handler
gets a :class:`Call` with the validated parameters and returns the ``result`` value,
or raises :class:`~.errors.ApiError`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from .errors import too_many_requests
from .files import Upload
from .limits import RateLimiter
from .models import Chat
from .state import EmulatorState

Handler = Callable[["Call"], Any | Awaitable[Any]]
HANDLERS: dict[str, Handler] = {}


def bot_method(*names: str) -> Callable[[Handler], Handler]:
    """Register a handler for Bot API methods (names are matched case-insensitively)."""

    def register(func: Handler) -> Handler:
        for name in names:
            HANDLERS[name.lower()] = func
        return func

    return register


@dataclass
class Call:
    """One Bot API call being handled."""

    state: EmulatorState
    limiter: RateLimiter
    method: str
    params: dict[str, Any]
    uploads: dict[str, Upload]

    def get(self, name: str, default: Any = None) -> Any:
        return self.params.get(name, default)

    def chat(self, key: str = "chat_id") -> Chat:
        """The chat named by parameter ``key`` (``400 chat not found`` otherwise)."""
        return self.state.resolve_chat(self.params[key])

    def rate_limit(self, chat: Chat) -> None:
        """Count a message posted into ``chat``; raise ``429`` when over the limits."""
        retry_after = self.limiter.acquire(chat.id, is_group=chat.is_group,
                                           bot_id=self.state.bot.id)
        if retry_after is not None:
            raise too_many_requests(retry_after)
