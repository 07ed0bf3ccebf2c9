"""Bot API methods for receiving updates: getUpdates (real long polling), setWebhook,
deleteWebhook, getWebhookInfo.

While a webhook is set, getUpdates answers ``409 Conflict`` as Telegram does; a second
concurrent getUpdates ends the first one with ``409 Conflict: terminated by other
getUpdates request``.  Delivery to the webhook itself lives in :mod:`.webhook`.
"""

from __future__ import annotations

import re
from typing import Any

from .errors import bad_request, conflict
from .registry import Call, bot_method
from .state import WebhookConfig

MAX_POLL_TIMEOUT = 50
_SECRET_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


@bot_method("getUpdates")
async def get_updates(call: Call) -> list[dict[str, Any]]:
    state = call.state
    if state.webhook is not None:
        raise conflict(
            "can't use getUpdates method while webhook is active; "
            "use deleteWebhook to delete the webhook first"
        )
    limit = min(max(int(call.get("limit", 100)), 1), 100)
    timeout = min(max(int(call.get("timeout", 0)), 0), MAX_POLL_TIMEOUT)
    if "allowed_updates" in call.params:
        state.updates.set_allowed(call.params["allowed_updates"])
    offset = call.get("offset")
    if offset:
        state.updates.confirm(offset)
    state.poll_generation += 1
    generation = state.poll_generation
    state.changed()  # lets an older long poll notice it has been superseded

    def ready() -> bool:
        return bool(
            state.poll_generation != generation
            or state.webhook is not None
            or state.updates.peek(1)
        )

    await state.signal.wait_until(ready, float(timeout), closed=lambda: state.closing)
    if state.poll_generation != generation:
        raise conflict(
            "terminated by other getUpdates request; "
            "make sure that only one bot instance is running"
        )
    return [u.to_api() for u in state.updates.peek(limit)]


@bot_method("setWebhook")
def set_webhook(call: Call) -> bool:
    state = call.state
    url: str = call.params["url"]
    if not url:
        state.webhook = None
        state.changed()
        return True
    if not url.startswith(("https://", "http://")):
        raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
    secret = call.get("secret_token")
    if secret is not None and not _SECRET_RE.match(secret):
        raise bad_request("secret token contains unallowed characters")
    max_connections = int(call.get("max_connections", 40))
    if not 1 <= max_connections <= 100:
        raise bad_request("bad webhook: max_connections must be between 1 and 100")
    if "allowed_updates" in call.params:
        state.updates.set_allowed(call.params["allowed_updates"])
    if call.get("drop_pending_updates"):
        state.updates.clear()
    state.webhook = WebhookConfig(
        url=url,
        secret_token=secret,
        max_connections=max_connections,
        ip_address=call.get("ip_address"),
        allowed_updates=call.get("allowed_updates"),
        has_custom_certificate="certificate" in call.params,
    )
    state.changed()
    return True


@bot_method("deleteWebhook")
def delete_webhook(call: Call) -> bool:
    state = call.state
    state.webhook = None
    if call.get("drop_pending_updates"):
        state.updates.clear()
    state.changed()
    return True


@bot_method("getWebhookInfo")
def get_webhook_info(call: Call) -> dict[str, Any]:
    return webhook_info(call.state)


def webhook_info(state: Any) -> dict[str, Any]:
    """The ``WebhookInfo`` object for the current setting."""
    hook: WebhookConfig | None = state.webhook
    info: dict[str, Any] = {
        "url": hook.url if hook else "",
        "has_custom_certificate": bool(hook and hook.has_custom_certificate),
        "pending_update_count": len(state.updates),
    }
    if hook is not None:
        info["max_connections"] = hook.max_connections
        if hook.ip_address:
            info["ip_address"] = hook.ip_address
        if hook.allowed_updates is not None:
            info["allowed_updates"] = hook.allowed_updates
        if hook.last_error_date is not None:
            info["last_error_date"] = hook.last_error_date
            info["last_error_message"] = hook.last_error_message
    return info
