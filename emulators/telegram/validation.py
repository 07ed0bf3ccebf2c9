"""Validation of Bot API calls against the vendored spec (``spec/api.json``).

:class:`ApiSpec` loads the spec, finds methods case-insensitively and turns the raw
parameters of a call (strings from a form, JSON values, multipart uploads) into typed
Python values: ``Integer`` -> int, ``Boolean`` -> bool, object types -> dicts checked
recursively, ``InputFile`` -> :class:`~.files.Upload` or a string reference.  Unknown
fields, missing required fields and wrong types raise ``400 Bad Request``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from .errors import ApiError, bad_request
from .files import Upload

PRIMITIVES = frozenset({"Integer", "String", "Boolean", "Float", "True", "InputFile"})

LEGACY_FIELDS: dict[str, tuple[str, tuple[str, ...]]] = {
    # field -> (field whose presence in a method makes it accepted, its types)
    "reply_to_message_id": ("reply_parameters", ("Integer",)),
    "allow_sending_without_reply": ("reply_parameters", ("Boolean",)),
    "disable_web_page_preview": ("link_preview_options", ("Boolean",)),
}
"""Deprecated parameters Telegram still accepts (and aiogram 3.31 still sends)."""

_MISSING_TEXTS = {
    "text": "message text is empty",
    "message_id": "message identifier is not specified",
}
_INT_RE = re.compile(r"^[+-]?\d+$")
_DISCRIMINATOR_RE = re.compile(r'(?:must be|always)\s+"?([a-z_]+)"?')


@dataclass(frozen=True)
class FieldSpec:
    """One parameter of a method or field of an object type."""

    name: str
    types: tuple[str, ...]
    required: bool


@dataclass(frozen=True)
class TypeSpec:
    """An object type: its fields, or the subtypes it is a union of."""

    name: str
    fields: dict[str, FieldSpec]
    subtypes: tuple[str, ...]
    discriminator: tuple[str, str] | None


@dataclass(frozen=True)
class MethodSpec:
    """A Bot API method."""

    name: str
    fields: dict[str, FieldSpec]
    returns: tuple[str, ...]


def _fields(raw: list[dict[str, Any]]) -> dict[str, FieldSpec]:
    return {f["name"]: FieldSpec(f["name"], tuple(f["types"]), bool(f["required"])) for f in raw}


def _discriminator(fields: list[dict[str, Any]]) -> tuple[str, str] | None:
    for f in fields:
        if f["name"] in ("type", "status", "source") and f["required"]:
            desc = f.get("description", "")
            match = _DISCRIMINATOR_RE.search(desc if isinstance(desc, str) else " ".join(desc))
            if match:
                return f["name"], match.group(1)
    return None


class ApiSpec:
    """The parsed Bot API description."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        self.version: str = str(data.get("version", ""))
        self.methods: dict[str, MethodSpec] = {}
        self._by_lower: dict[str, MethodSpec] = {}
        for name, m in data["methods"].items():
            fields = _fields(m.get("fields", []))
            for legacy, (anchor, types) in LEGACY_FIELDS.items():
                if anchor in fields:
                    fields[legacy] = FieldSpec(legacy, types, False)
            spec = MethodSpec(name, fields, tuple(m.get("returns", [])))
            self.methods[name] = spec
            self._by_lower[name.lower()] = spec
        self.types: dict[str, TypeSpec] = {
            name: TypeSpec(
                name,
                _fields(t.get("fields", [])),
                tuple(t.get("subtypes", [])),
                _discriminator(t.get("fields", [])),
            )
            for name, t in data["types"].items()
        }

    @classmethod
    def load(cls) -> ApiSpec:
        """The spec vendored in ``emulators/telegram/spec/api.json`` (parsed once)."""
        return _load_default()

    def method(self, name: str) -> MethodSpec | None:
        """Look a method up case-insensitively, as Telegram does."""
        return self._by_lower.get(name.lower())

    def validate_call(
        self,
        method: MethodSpec,
        raw: Mapping[str, Any],
        uploads: Mapping[str, Upload],
    ) -> dict[str, Any]:
        """Check and convert the parameters of one call.

        ``raw`` holds form strings or JSON values; ``uploads`` the multipart files by
        field name.  A file uploaded directly under a parameter name counts as that
        parameter; other uploads are ``attach://`` targets and are not parameters.
        """
        params: dict[str, Any] = dict(raw)
        for name, upload in uploads.items():
            spec = method.fields.get(name)
            if spec is not None and "InputFile" in spec.types:
                params[name] = upload
        out: dict[str, Any] = {}
        for name, value in params.items():
            spec = method.fields.get(name)
            if spec is None:
                raise bad_request(f'unknown parameter "{name}" for method {method.name}')
            out[name] = self._convert_field(spec, value, top_level=True)
        for spec in method.fields.values():
            if spec.required and spec.name not in out:
                raise bad_request(_MISSING_TEXTS.get(spec.name, f"{spec.name} is empty"))
        return out

    # -- conversion ---------------------------------------------------------

    def _convert_field(self, spec: FieldSpec, value: Any, *, top_level: bool) -> Any:
        best: tuple[int, ApiError] | None = None
        for type_name in spec.types:
            try:
                return self._convert(type_name, value, spec.name)
            except ApiError as exc:
                score = self._closeness(type_name, value)
                if best is None or score > best[0]:
                    best = (score, exc)
        if (
            best is not None
            and (best[0] > 0 or len(spec.types) == 1)
            and "JSON object" in best[1].description
        ):
            raise best[1]
        expected = " or ".join(spec.types)
        where = "parameter" if top_level else "field"
        raise bad_request(f'{where} "{spec.name}" must be of type {expected}')

    def _closeness(self, type_name: str, value: Any) -> int:
        """How many keys of a JSON object value are fields of ``type_name`` (for errors)."""
        spec = self.types.get(type_name)
        if spec is None or not isinstance(value, str | dict):
            return 0
        try:
            obj = json.loads(value) if isinstance(value, str) else value
        except ValueError:
            return 0
        if not isinstance(obj, dict):
            return 0
        names = set(spec.fields)
        for sub in spec.subtypes:
            names |= set(self.types[sub].fields) if sub in self.types else set()
        return len(names & set(obj))

    def _convert(self, type_name: str, value: Any, name: str) -> Any:
        if type_name.startswith("Array of "):
            inner = type_name[len("Array of ") :]
            items = _maybe_json(value, type_name)
            if not isinstance(items, list):
                raise bad_request(f"can't parse {type_name} JSON object")
            return [self._convert(inner, item, name) for item in items]
        if type_name in PRIMITIVES:
            return _convert_primitive(type_name, value)
        spec = self.types.get(type_name)
        if spec is None:  # a type name the spec does not describe: keep as is
            return _maybe_json(value, type_name)
        obj = _maybe_json(value, type_name)
        if not isinstance(obj, dict):
            raise bad_request(f"can't parse {type_name} JSON object")
        return self._convert_object(spec, obj)

    def _convert_object(self, spec: TypeSpec, obj: dict[str, Any]) -> dict[str, Any]:
        if spec.subtypes:
            candidates = [self.types[s] for s in spec.subtypes if s in self.types]
            matching = [
                c
                for c in candidates
                if c.discriminator is None or obj.get(c.discriminator[0]) == c.discriminator[1]
            ]
            if not matching and all(c.discriminator for c in candidates):
                raise bad_request(f"can't parse {spec.name} JSON object: unsupported type")
            errors: list[ApiError] = []
            for sub in matching or candidates:
                try:
                    return self._convert_object(sub, obj)
                except ApiError as exc:
                    errors.append(exc)
            if len(matching) == 1 and errors:
                raise errors[0]
            raise bad_request(f"can't parse {spec.name} JSON object")
        out = dict(obj)  # unknown nested fields are ignored, as Telegram does
        for fname, fspec in spec.fields.items():
            if fname in obj:
                try:
                    out[fname] = self._convert_field(fspec, obj[fname], top_level=False)
                except ApiError as exc:
                    raise bad_request(
                        f"can't parse {spec.name} JSON object: {_strip(exc.description)}"
                    ) from None
            elif fspec.required:
                raise bad_request(
                    f'can\'t parse {spec.name} JSON object: field "{fname}" is required'
                )
        return out


def _strip(description: str) -> str:
    return description.removeprefix("Bad Request: ")


def _maybe_json(value: Any, type_name: str) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            raise bad_request(f"can't parse {type_name} JSON object") from None
    return value


def _convert_primitive(type_name: str, value: Any) -> Any:
    if type_name == "InputFile":
        if isinstance(value, Upload):
            return value
        raise bad_request("not a file")
    if isinstance(value, Upload):
        raise bad_request("unexpected file")
    if type_name == "Integer":
        if isinstance(value, bool):
            raise bad_request("not an integer")
        if isinstance(value, int):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str) and _INT_RE.match(value.strip()):
            return int(value.strip())
        raise bad_request("not an integer")
    if type_name == "Float":
        if isinstance(value, bool):
            raise bad_request("not a number")
        if isinstance(value, int | float):
            return float(value)
        if isinstance(value, str):
            try:
                return float(value)
            except ValueError:
                pass
        raise bad_request("not a number")
    if type_name in ("Boolean", "True"):
        if isinstance(value, bool):
            return value
        if isinstance(value, int) and value in (0, 1):
            return bool(value)
        if isinstance(value, str) and value.strip().lower() in ("true", "false", "1", "0"):
            return value.strip().lower() in ("true", "1")
        raise bad_request("not a boolean")
    # String
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    raise bad_request("not a string")


@cache
def _load_default() -> ApiSpec:
    text = resources.files("emulators.telegram.spec").joinpath("api.json").read_text("utf-8")
    return ApiSpec(json.loads(text))
