"""Messenger adapters: Telegram, VK and Viber."""

import bots.refusals  # noqa: F401  (the bots' refusal codes join the core's registry)
