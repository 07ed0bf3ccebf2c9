"""The API against its own OpenAPI document with schemathesis: generated requests for every
operation, and every answer checked against the document (status codes, bodies, headers).
Skipped where schemathesis is not installed."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from core import commands as c
from tests.admin_web.conftest import Panel
from tests.admin_web.test_api import _auth, _token


def _fuzz(base_url: str, document: dict[str, Any], token: str) -> list[str]:
    import schemathesis
    from hypothesis import HealthCheck, given, settings
    from schemathesis.specs.openapi.checks import positive_data_acceptance

    schema = schemathesis.openapi.from_dict(document)
    schema.config.update(base_url=base_url)
    problems: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()

        @settings(max_examples=8, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def check(case: Any) -> None:
            # A schema-valid body may still name a contact or a type that does not exist:
            # the desk refuses it with 422 (or 404), which the document lists.
            case.call_and_validate(headers=_auth(token),
                                   excluded_checks=[positive_data_acceptance])

        try:
            check()
        except Exception as exc:  # collected so one run reports every operation
            problems.append(f"{operation.label}: {exc}"[:2000])
    return problems


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
async def test_every_operation_answers_as_documented(panel: Panel) -> None:
    pytest.importorskip("schemathesis")
    await panel.desk.handle(c.ClientWrites("telegram", "1", "A", "hello"))
    token = await _token(panel, "ada")
    client = await panel.client()
    try:
        document = await (await client.get("/api/v1/openapi.json")).json()
    finally:
        await client.close()
    base = str(panel.server.make_url("")).rstrip("/")
    problems = await asyncio.to_thread(_fuzz, base, document, token)
    assert not problems, "\n\n".join(problems)
