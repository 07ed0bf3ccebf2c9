"""The VK API schema the emulator checks calls against: which methods exist and their
parameters (type, required, length and range limits), read from the vendored JSON.

VK sends every parameter as text (form fields), so a value is checked by what it must
parse as: integers, numbers, booleans (0/1/true/false), comma-separated arrays."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

from .errors import UNKNOWN_METHOD, VkError, param_error

SECTIONS = ("messages", "groups", "users", "photos", "docs")
_INTEGER = re.compile(r"-?\d+")
_NUMBER = re.compile(r"-?\d+(\.\d+)?")

# Rules VK applies that the schema does not state: since API 5.90 messages.send needs a
# random_id (the schema still lists it as optional).
EXTRA_REQUIRED = {"messages.send": ("random_id",)}


@dataclass(frozen=True)
class Param:
    name: str
    type: str | list[str]
    required: bool = False
    max_length: int | None = None
    minimum: float | None = None
    maximum: float | None = None
    item_type: str | list[str] | None = None
    enum: tuple[str, ...] = ()


@dataclass(frozen=True)
class MethodSpec:
    name: str
    params: dict[str, Param] = field(default_factory=dict)


class VkSchema:
    def __init__(self, methods: Mapping[str, MethodSpec], errors: Mapping[int, str]) -> None:
        self.methods = dict(methods)
        self.errors = dict(errors)

    @classmethod
    @cache
    def load(cls) -> VkSchema:
        root = resources.files(__package__ + ".spec")
        methods: dict[str, MethodSpec] = {}
        for section in SECTIONS:
            data = json.loads((root / f"{section}_methods.json").read_text("utf-8"))
            for method in data["methods"]:
                spec = _method(method)
                methods[spec.name] = spec
        errors = json.loads((root / "errors.json").read_text("utf-8"))["errors"]
        codes = {int(e["code"]): str(e.get("description", "")) for e in errors.values()}
        return cls(methods, codes)

    def check_exists(self, method: str) -> MethodSpec:
        """The method's spec; error 3 for a method VK does not have."""
        spec = self.methods.get(method)
        if spec is None:
            raise VkError(UNKNOWN_METHOD)
        return spec

    def check(self, method: str, params: Mapping[str, str]) -> MethodSpec:
        """The method's spec, or the VkError VK would answer for these parameters."""
        spec = self.check_exists(method)
        for param in spec.params.values():
            value = params.get(param.name)
            if value is None or value == "":
                if param.required:
                    raise param_error(f"{param.name} is undefined")
                continue
            _check_value(param, value)
        return spec


def _method(raw: Mapping[str, Any]) -> MethodSpec:
    name = str(raw["name"])
    extra = EXTRA_REQUIRED.get(name, ())
    params = {}
    for p in raw.get("parameters", []):
        items = p.get("items") or {}
        params[p["name"]] = Param(
            name=p["name"], type=p.get("type", "string"),
            required=bool(p.get("required")) or p["name"] in extra,
            max_length=p.get("maxLength"), minimum=p.get("minimum"), maximum=p.get("maximum"),
            item_type=items.get("type"), enum=tuple(str(e) for e in p.get("enum", ())),
        )
    return MethodSpec(name, params)


def _check_value(param: Param, value: str) -> None:
    types = param.type if isinstance(param.type, list) else [param.type]
    if "array" in types:
        for item in value.split(","):
            if param.item_type in ("integer", ["integer"]) and not _INTEGER.fullmatch(
                    item.strip()):
                raise param_error(f"{param.name} should be a list of integers")
        return
    if "string" in types:
        if param.max_length is not None and len(value) > param.max_length:
            raise param_error(
                f"{param.name} should be shorter than {param.max_length} characters")
        if param.enum and value not in param.enum:
            raise param_error(f"{param.name} should be one of {', '.join(param.enum)}")
        return
    if "integer" in types:
        if not _INTEGER.fullmatch(value.strip()):
            raise param_error(f"{param.name} not integer")
        _check_range(param, int(value))
    elif "number" in types:
        if not _NUMBER.fullmatch(value.strip()):
            raise param_error(f"{param.name} not number")
        _check_range(param, float(value))
    elif "boolean" in types and value.strip().lower() not in ("0", "1", "true", "false"):
        raise param_error(f"{param.name} should be 0 or 1")


def _check_range(param: Param, number: float) -> None:
    if param.minimum is not None and number < param.minimum:
        raise param_error(f"{param.name} should be not less than {param.minimum:g}")
    if param.maximum is not None and number > param.maximum:
        raise param_error(f"{param.name} should be not more than {param.maximum:g}")
