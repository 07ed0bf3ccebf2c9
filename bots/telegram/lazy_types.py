"""Import aiogram without building the validators of every Telegram type up front.

aiogram's models already ask pydantic to build lazily (`defer_build=True`), but the end of
`aiogram/types/__init__.py` calls `model_rebuild` on all of them (~900 in aiogram 3.31) to
hand each one the shared namespace its forward references need. That builds every validator
at import: about 105 MB of a process that meets a dozen of those types (aiogram issue #1513).

While aiogram is imported here, that one loop only puts the shared namespace into the module
of each type (the names its annotations import under `TYPE_CHECKING` alone; a name the module
has is kept) and leaves the build to pydantic. Pydantic builds a type the first time it
validates or dumps one, alone or nested in another (`Response[list[Update]]`), and resolves
its references in that module: an `Update`, with the `Message`, `User` and `Chat` in it,
costs ~4 MB. Nothing else about the types changes. If aiogram was imported before this
module, the types are already built and this does nothing.
"""

from __future__ import annotations

import inspect
import logging
import sys
from collections.abc import Iterable
from typing import Any

import pydantic
from pydantic import BaseModel

log = logging.getLogger(__name__)

# the keywords of pydantic's `BaseModel.model_rebuild` that are passed on (two are private)
_REBUILD_KEYWORDS = {"force", "raise_errors", "_parent_namespace_depth", "_types_namespace"}


def lazy_import_supported() -> bool:
    """Whether the installed pydantic's `model_rebuild` still takes the keywords relied on
    here; when not, aiogram is imported as it is (its types built at import, ~100 MB more)."""
    rebuild = BaseModel.__dict__["model_rebuild"].__func__
    return set(inspect.signature(rebuild).parameters) >= _REBUILD_KEYWORDS


def import_aiogram() -> None:
    if "aiogram.types" in sys.modules:
        return
    if not lazy_import_supported():
        log.warning("pydantic %s changed BaseModel.model_rebuild: aiogram's types are built "
                    "at import (bots/telegram/lazy_types.py)", pydantic.VERSION)
        import aiogram  # noqa: F401
        return
    eager = BaseModel.__dict__["model_rebuild"]
    rebuild = eager.__func__

    def record_namespace(cls: type[BaseModel], *, force: bool = False, raise_errors: bool = True,
                         _parent_namespace_depth: int = 2,
                         _types_namespace: dict[str, Any] | None = None) -> bool | None:
        if (_types_namespace is not None and not force and not cls.__pydantic_complete__
                and cls.__module__.startswith("aiogram.")):
            module = vars(sys.modules[cls.__module__])
            for name, value in _types_namespace.items():
                module.setdefault(name, value)
            return None
        return rebuild(cls, force=force, raise_errors=raise_errors,  # type: ignore[no-any-return]
                       _parent_namespace_depth=_parent_namespace_depth + 1,
                       _types_namespace=_types_namespace)

    BaseModel.model_rebuild = classmethod(record_namespace)  # type: ignore[method-assign,assignment]
    try:
        import aiogram  # noqa: F401 - importing is the point
    finally:
        BaseModel.model_rebuild = eager  # type: ignore[method-assign]


def answers_read_by(methods: Iterable[type[Any]]) -> int:
    """Build, now, the validators of the answers to these Bot API methods. aiogram reads an
    answer as `Response[<the method's result type>]`, a pydantic generic class it makes on
    the first call of each method: tens of milliseconds each (the Message type is large),
    which would otherwise all fall on the first burst of messages after a start. Returns how
    many answer types there are."""
    from aiogram.client.session.base import Response

    results = {method.__returning__ for method in methods}
    # pydantic's cache of generic classes holds them weakly: kept here, they stay made
    _ANSWERS.update((result, Response[result]) for result in results)
    return len(results)


_ANSWERS: dict[Any, type[Any]] = {}


def update_read_alone() -> None:
    """Build, now, the validator of `Update` itself: a webhook reads each update alone,
    where polling reads them inside getUpdates' answer (`answers_read_by`). Built on the
    first webhook call instead, it held up the first burst after a start by about half a
    second."""
    from aiogram.types import Update

    Update.model_rebuild()
