"""The sandbox page: a browser UI on top of the Telegram emulator where one person plays a
client (private chat with the bot) and the support team (a forum supergroup) against the
running product.  See :mod:`.page`."""

from .page import SandboxInfo, install_sandbox_page, setup_sandbox_routes

__all__ = ["SandboxInfo", "install_sandbox_page", "setup_sandbox_routes"]
