"""The bots' own refusals (an out-of-date button, a command's usage), registered beside the
core's so that every adapter words them by code like the core's."""

from __future__ import annotations

from core.refusals import define

define({
    "button.outdated": "this button is out of date",
    "canned.gone": "this canned answer no longer exists",
    "assign.usage": "write whom to assign: /assign @login",
    "assign.no_colleague": "there is no colleague with the login @{login}",
    "notice.no_rendering": "no client rendering for {kind!r}",
    "hold.usage": "write when to resume: /hold 2026-12-01 10:00, /hold 3d or /hold 2h",
})
