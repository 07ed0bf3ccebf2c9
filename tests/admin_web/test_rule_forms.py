"""The rule and macro forms both ways: the form the edit page is filled in from saves, sent
back unchanged, exactly the rule it was made from (every condition, every action in order,
several of a kind)."""

from __future__ import annotations

from datetime import time

from admin_web import rule_forms
from core.actions import (
    AddNote,
    Notify,
    SendCanned,
    SetLine,
    SetPriority,
    SetResponsible,
    SetStatus,
    SetType,
)
from core.automation import AutomationRule, Macro, Trigger
from core.conditions import Conditions, TimeWindow
from core.names import Names

EVERY_ACTION = (
    Notify("New ticket #{{ticket_number}}"), SetStatus("on_hold", 1.5), SetPriority("high"),
    SetType(None), SetType("incident"), SetResponsible(3, None), SetResponsible(None, 2),
    SetResponsible(3, 2), SetLine(2), AddNote("first"), Notify("to two", (3, 5), False),
    SendCanned(4), AddNote("second"), SetStatus("resolved"))


def test_an_unchanged_rule_form_saves_the_same_rule() -> None:
    rule = AutomationRule(
        7, "Everything", Trigger.STATUS_CHANGED, EVERY_ACTION,
        Conditions(types=frozenset({"incident"}), priorities=frozenset({"high", "low"}),
                   channels=frozenset({"telegram"}), categories=frozenset({"VIP"}),
                   company_ids=frozenset({4, 12}), statuses=frozenset({"open"}),
                   lines=frozenset({2}),
                   attributes={"contract": frozenset({"gold", "basic"}),
                               "city": frozenset({"Kazan"})},
                   registered=TimeWindow(frozenset({5, 6}), time(18), time(9),
                                         "Europe/Moscow")),
        from_statuses=frozenset({"awaiting_reply", "on_hold"}), enabled=False, position=4)
    assert rule_forms.automation_rule(rule_forms.rule_form(rule), rule) == rule

    idle = AutomationRule(9, "Quiet", Trigger.IDLE, (SetStatus("closed"),),
                          Conditions(registered=TimeWindow(start=time(8), end=time(20))),
                          idle_hours=1.25, position=2)
    assert rule_forms.automation_rule(rule_forms.rule_form(idle), idle) == idle
    changed = AutomationRule(3, "Gold", Trigger.FIELD_CHANGED, (AddNote("gold"),),
                             field="attr:contract")
    assert rule_forms.automation_rule(rule_forms.rule_form(changed), changed) == changed


def test_an_unchanged_macro_form_saves_the_same_macro() -> None:
    macro = Macro(5, "Everything", EVERY_ACTION, enabled=True, position=1)
    assert rule_forms.macro(rule_forms.macro_form(macro), macro) == macro


def test_an_unchanged_rule_form_keeps_the_rules_names_per_language() -> None:
    rule = AutomationRule(4, "Back to Open", Trigger.CLIENT_REPLIED, (SetStatus("open"),),
                          names=Names({"ru": "Снова открыта", "fa": "باز دوباره"}))
    assert rule_forms.automation_rule(rule_forms.rule_form(rule), rule) == rule
