"""Canned answers: variables are filled, anything else stays as the admin wrote it (§3.6)."""

from __future__ import annotations

from core.canned import VARIABLES, render

VALUES = {"client_name": "Ivan", "ticket_number": 42, "agent_name": "Anna Petrova",
          "ticket_subject": "Printer"}


def test_client_name_ticket_number_and_agent_name_are_filled_in() -> None:
    body = "Hello {{ client_name }}! Ticket #{{ticket_number}} is with {{  agent_name  }}."
    assert render(body, VALUES) == "Hello Ivan! Ticket #42 is with Anna Petrova."


def test_every_documented_variable_is_filled() -> None:
    body = " ".join("{{ " + name + " }}" for name in VARIABLES)
    assert "{{" not in render(body, VALUES)


def test_an_unknown_variable_stays_as_written_for_the_agent_to_see() -> None:
    body = "Your order {{ order_number }}, {{ client_name }}"
    assert render(body, VALUES) == "Your order {{ order_number }}, Ivan"


def test_a_known_variable_without_a_value_stays_as_written() -> None:
    assert render("Hi {{ client_name }}", {}) == "Hi {{ client_name }}"


def test_templates_cannot_reach_python_attributes_or_expressions() -> None:
    body = ("{{ x.__class__ }} {{ client_name.__class__ }} {{ client_name|upper }} "
            "{{ 7*7 }} {% if 1 %}x{% endif %} {{ CLIENT_NAME }}")
    assert render(body, VALUES) == body


def test_a_value_that_looks_like_a_variable_is_not_filled_again() -> None:
    values = {**VALUES, "client_name": "{{ agent_name }}"}
    assert render("Hi {{ client_name }}", values) == "Hi {{ agent_name }}"


def test_text_without_variables_is_unchanged() -> None:
    body = "Please send a screenshot of the error { like this }."
    assert render(body, VALUES) == body
