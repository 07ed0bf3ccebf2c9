"""Running one Bot API call: spec lookup, validation, the handler, the call log.

:func:`execute` is the single entry point used by the HTTP routes and by webhook
replies.  Methods the spec knows but the emulator does not implement are accepted when
they merely return True (after checking their ``chat_id``); others answer 400 saying so.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Mapping
from typing import Any

from . import (
    methods_chats,
    methods_edit,
    methods_forum,
    methods_reactions,
    methods_send,
    methods_updates,
)
from .errors import ApiError, bad_request, not_found
from .files import Upload
from .limits import RateLimiter
from .registry import HANDLERS, Call
from .state import EmulatorState
from .validation import ApiSpec, MethodSpec

log = logging.getLogger(__name__)

IMPLEMENTED_MODULES = (methods_chats, methods_edit, methods_forum, methods_reactions, methods_send,
                       methods_updates)


def _generic(call: Call, spec: MethodSpec) -> Any:
    if spec.returns == ("Boolean",) or spec.returns == ("True",):
        if "chat_id" in call.params:
            call.chat()
        return True
    raise bad_request(f"method {spec.name} is not implemented by the emulator")


def loggable(params: Mapping[str, Any]) -> dict[str, Any]:
    """Parameters with uploads replaced by a JSON-friendly description."""
    out: dict[str, Any] = {}
    for key, value in params.items():
        if isinstance(value, Upload):
            out[key] = {
                "upload": value.filename,
                "content_type": value.content_type,
                "size": len(value.data),
            }
        else:
            out[key] = value
    return out


async def execute(
    state: EmulatorState,
    spec: ApiSpec,
    limiter: RateLimiter,
    method_name: str,
    raw: Mapping[str, Any],
    uploads: Mapping[str, Upload],
    token: str | None = None,
) -> tuple[int, dict[str, Any]]:
    """Run a call (as the helper bot of `token`, when it is one); returns the HTTP status
    and the JSON body to answer with."""
    if token in state.helpers:
        if method_name.lower() == "getupdates":  # a helper's own updates, nobody reads them
            return 200, {"ok": True, "result": []}
        with state.as_bot(token):
            return await _execute(state, spec, limiter, method_name, raw, uploads)
    return await _execute(state, spec, limiter, method_name, raw, uploads)


async def _execute(
    state: EmulatorState,
    spec: ApiSpec,
    limiter: RateLimiter,
    method_name: str,
    raw: Mapping[str, Any],
    uploads: Mapping[str, Upload],
) -> tuple[int, dict[str, Any]]:
    method = spec.method(method_name)
    params_for_log = loggable({**raw, **uploads})
    if method is None:
        error = not_found()
        state.record_call(method_name, params_for_log, error.status, error)
        return error.status, error.to_body()
    try:
        params = spec.validate_call(method, raw, uploads)
        params_for_log = loggable(params)
        call = Call(state, limiter, method.name, params, dict(uploads))
        handler = HANDLERS.get(method.name.lower())
        if handler is None:
            result = _generic(call, method)
        else:
            result = handler(call)
            if inspect.isawaitable(result):
                result = await result
    except ApiError as error:
        state.record_call(method.name, params_for_log, error.status, error)
        return error.status, error.to_body()
    except Exception as exc:  # an emulator bug: answer 500 without a stack trace
        log.exception("emulator failed on %s", method.name)
        state.internal_errors.append(f"{method.name}: {type(exc).__name__}: {exc}")
        internal = ApiError(500, "Internal Server Error")
        state.record_call(method.name, params_for_log, 500, internal)
        return 500, internal.to_body()
    state.record_call(method.name, params_for_log, 200, None)
    return 200, {"ok": True, "result": result}
