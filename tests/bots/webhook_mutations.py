"""A seeded mutator of platform updates, for the webhook fuzz test: it drops, retypes and
duplicates fields anywhere in an update, puts in huge strings, lone UTF-16 surrogates,
NaN, numbers too big for any column and JSON nested a thousand levels deep, and now and then
spoils the body itself (cut short, not UTF-8, not an object). The same seed gives the same
bodies."""

from __future__ import annotations

import copy
import json
import random
from collections.abc import Callable
from typing import Any

DEEP = "__deep__"  # replaced in the serialised body: json.dumps cannot nest that deep
NESTING = 1000
ODD_VALUES: list[Any] = [
    None, True, False, 0, -1, 2**31, 2**63, 2**70, -(2**70), 1.5, float("nan"), float("inf"),
    "", " ", "x", "12", "-5", "1e400", "\x00", "\ud800", "a\udfffb", "\udc00\ud800",
    "😀", "\u202e\u0645\u0631\u06cc\u0645", [], {}, [1, "2", None], {"a": {"b": [None]}},
    [[[[[]]]]], DEEP,
]
HUGE = ("x" * 20_000, "😀" * 5_000, "\ud800" * 500 + "text")  # past every platform's limit


def _slots(node: Any) -> list[tuple[Any, Any]]:
    """Every (container, key or index) of the tree, the root's own fields included."""
    found: list[tuple[Any, Any]] = []
    stack = [node]
    while stack:
        current = stack.pop()
        items = current.items() if isinstance(current, dict) else enumerate(current) \
            if isinstance(current, list) else ()
        for key, value in items:
            found.append((current, key))
            if isinstance(value, dict | list):
                stack.append(value)
    return found


def _odd(rng: random.Random) -> Any:
    if rng.random() < 0.05:
        return rng.choice(HUGE)
    return copy.deepcopy(rng.choice(ODD_VALUES))


def _drop(rng: random.Random, container: Any, key: Any) -> None:
    del container[key]


def _retype(rng: random.Random, container: Any, key: Any) -> None:
    container[key] = _odd(rng)


def _duplicate(rng: random.Random, container: Any, key: Any) -> None:
    value = copy.deepcopy(container[key])
    if isinstance(container, list):
        container.insert(key, value)
    else:
        container[rng.choice([k for k in container if k != key] or [f"{key}_again"])] = value


def _wrap(rng: random.Random, container: Any, key: Any) -> None:
    """The value inside a list or an object, as if the platform changed its shape."""
    container[key] = rng.choice([[container[key]], {"value": container[key]}])


def _add(rng: random.Random, container: Any, key: Any) -> None:
    if isinstance(container, dict):
        container[rng.choice(["text", "id", "from", "type", "message", "\ud800", ""])] = \
            _odd(rng)
    else:
        container.append(_odd(rng))


OPERATIONS: list[Callable[[random.Random, Any, Any], None]] = [
    _drop, _retype, _retype, _duplicate, _wrap, _add]


def mutate(rng: random.Random, update: dict[str, Any],
           keep: Callable[[dict[str, Any]], None] = lambda _: None) -> bytes:
    """A mutated copy of `update` as a body. `keep` puts back what authenticates the call
    (VK's secret inside the body), so most mutations get past the check."""
    body = copy.deepcopy(update)
    for _ in range(rng.choice((1, 1, 2, 3))):
        slots = _slots(body)
        if not slots:
            break
        container, key = rng.choice(slots)
        rng.choice(OPERATIONS)(rng, container, key)
    if rng.random() < 0.9:
        keep(body)
    raw = json.dumps(body).replace(f'"{DEEP}"', "[" * NESTING + "]" * NESTING, 1)
    if rng.random() < 0.02:
        return raw.encode()[: rng.randrange(len(raw))]
    if rng.random() < 0.02:
        return rng.choice([b"\xff\xfe" + raw.encode(), b"[" + raw.encode() + b"]", b"42",
                           b'"text"', b"null", b"", b"{" * NESTING])
    return raw.encode()
