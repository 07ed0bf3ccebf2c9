"""The Telegram adapter: the clients' bot and the agents' forum topics, on aiogram 3."""

from bots.telegram.lazy_types import import_aiogram

import_aiogram()
