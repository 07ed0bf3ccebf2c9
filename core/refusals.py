"""Every refusal the desk can give: a stable code and its English sentence, with {named}
parameters. Adapters word a refusal by its code in the person's language (the catalogs use
the English sentence as their message id); str() of the error is the English sentence."""

from __future__ import annotations

from collections.abc import Mapping

# Parameters whose values are words of the desk (status names, role names, channels) rather
# than data: an adapter translates them too before putting them in the sentence.
TERMS = frozenset({"old", "new", "channel", "state"})

REFUSALS: dict[str, str] = {
    # tickets
    "ticket.not_found": "no ticket #{number}",
    "ticket.not_yours": "this ticket is not one of yours",
    "ticket.already_closed": "ticket #{number} is already closed",
    "ticket.still_open": "ticket #{number} is still open",
    "ticket.reopen_too_late": "ticket #{number} was closed too long ago to reopen; just write "
                              "to us and a new ticket will be opened",
    "ticket.closed_for_good": "ticket #{number} is closed for good",
    "ticket.already_yours": "ticket #{number} is already yours",
    "ticket.taken": "ticket #{number} is already taken by {who}",
    "ticket.on_second_line": "ticket #{number} is already on the second line",
    "ticket.on_first_line": "ticket #{number} is already on the first line",
    "ticket.unknown_field": "unknown field {field!r}",
    "ticket.subject_missing": "a ticket needs a subject",
    "ticket.busy": "the ticket is being changed by someone else right now; try again",
    "transition.refused": "a ticket cannot go from {old} to {new}",
    "hold.no_date": "On hold needs a date and time to resume at",
    "hold.in_past": "the on-hold date must be in the future",
    "hold.too_far": "the on-hold date must be within a year",
    "rating.range": "a rating is a whole number from 1 to 5",
    "rating.not_resolved": "ticket #{number} can be rated once it is resolved",
    "message.empty": "an empty message cannot be added to a ticket",
    "message.nothing": "write some text or attach a file",
    "message.too_long": "a message is limited to {limit} characters",
    "link.same_ticket": "ticket #{number} is this ticket; give another one",
    "link.same_contact": "tickets #{number} and #{other} already belong to one contact",
    "link.accounts_clash": "the two contacts write from different accounts in {channel}; "
                           "they cannot be linked",
    "comment.not_found": "no comment {id}",
    # people
    "team.not_member": "you are not a member of the support team",
    "team.deactivated": "the account of {name} is deactivated",
    "team.responsible_deactivated": "{name} is deactivated and cannot be responsible",
    "team.name_missing": "an employee needs a name",
    "team.bad_login": "a login is 2-64 letters, digits, dots, dashes or underscores",
    "team.bad_role": "role must be one of {roles}",
    "team.login_taken": "the login {login!r} is taken",
    "team.telegram_taken": "Telegram id {telegram_id} is linked to another employee",
    "team.telegram_linked": "Telegram id {telegram_id} is linked to {name}",
    "team.has_open_tickets": "{name} is responsible for open tickets; reassign them before "
                             "deactivating the account",
    "team.last_admin": "the desk needs at least one active administrator",
    "employee.not_found": "no employee {id}",
    "contact.not_found": "no contact {id}",
    "contact.name_missing": "a contact needs a name",
    "company.not_found": "no company {id}",
    "company.name_missing": "a company needs a name",
    "company.bad_category": "category must be one of {categories}",
    "company.no_category": "keep at least one company category",
    "group.not_found": "no group {id}",
    "group.name_missing": "a group needs a name",
    "group.name_taken": "there is already a group called {name}",
    "group.in_use": "{count} ticket(s) belong to {name}",
    "group.forum_not_a_group": "a forum is a supergroup, with a negative id, not {id}",
    "group.forum_taken": "the forum {id} belongs to another group already",
    # reference data
    "settings.admin_only": "only an administrator can change settings",
    "settings.bad_code": "a code is lowercase latin letters, digits and underscores, "
                         "starting with a letter",
    "settings.bad_colour": "a colour is written as #rrggbb, not {value!r}",
    "settings.nothing_to_move": "nothing called {key!r} to move",
    "settings.cannot_reorder": "cannot reorder {kind!r}",
    "settings.reopen_window_range": "the reopen window is from 0 to {days} days",
    "settings.auto_close_range": "the auto-close timeout is from 0 to {days} days",
    "status.not_found": "no status {code!r}",
    "status.no_name": "no status named {name!r}",
    "status.name_missing": "a status needs a name",
    "status.bad_state": "a status is either open or closed",
    "status.system_state": "{name} is a system status; its state stays {state}",
    "status.system": "{name} is a system status: rename or recolour it instead",
    "status.in_use": "{count} ticket(s) are in {name}; move them first",
    "status.system_missing": "system statuses missing: {codes}",
    "priority.not_found": "no priority {value!r}",
    "priority.choose": "no priority {value!r}; choose from {names}",
    "priority.name_missing": "a priority needs a name",
    "priority.default": "this is the default priority of new tickets",
    "priority.in_use": "{count} ticket(s) have this priority",
    "type.not_found": "no ticket type {value!r}",
    "type.name_missing": "a ticket type needs a name",
    "type.in_use": "{count} ticket(s) have this type",
    "canned.not_found": "no canned answer {id}",
    "canned.title_missing": "a canned answer needs a name",
    "canned.text_missing": "a canned answer needs a text",
    "canned_group.not_found": "no group of answers {id}",
    "canned_group.name_missing": "a group of answers needs a name",
    "attribute.not_found": "no custom attribute {code!r}",
    "attribute.name_missing": "an attribute needs a name",
    "attribute.bad_kind": "an attribute is text, number, date or list, visible to admin, lead "
                          "or specialist",
    "attribute.no_options": "a list attribute needs at least one option, one a line",
    "attribute.bad_date": "{name} is a date written as YYYY-MM-DD, not {value!r}",
    "attribute.bad_option": "{name} is one of {options}; not {value!r}",
    "attribute.too_long": "{name} is limited to {limit} characters",
    "attribute.not_number": "{name} is a number, not {value!r}",
    "attribute.required": "fill in the required fields: {names}",
    # rules
    "rules.admin_only": "only an administrator can change the desk's rules",
    "rules.no_table": "no rule table {kind!r}",
    "rules.bad_zone": "unknown time zone {name!r}",
    "rules.name_missing": "a rule needs a name",
    "rules.warning_share": "the warning comes at a share of the target above 0 and up to 1",
    "rules.sla_target": "an SLA rule needs a reaction or a resolution target",
    "rules.idle_hours": "an idle rule needs a number of hours",
    "rules.recurring_subject": "a recurring ticket needs a subject",
    "rules.no_actions": "a rule or macro needs at least one action",
    "rules.hold_hours": "on hold needs a number of hours above 0",
    "rules.responsible_missing": "set responsible needs an employee or a group",
    "rules.bad_line": "the line is 1 or 2",
    "rules.text_missing": "a note or a notification needs a text",
    "rules.calendar_in_use": "SLA rules use this calendar; change them first",
    "rules.calendar_not_found": "no calendar {id}",
    "rules.not_found": "no {table} row {id}",
    "macro.not_found": "no macro named {name!r}; available: {names}",
    "macro.none_yet": "no macro named {name!r}; available: none yet",
    "notice.bad_key": "a notice key starts with client. or agents.",
    "notice.no_placeholder": "the design wrapper must keep the {placeholder} placeholder, "
                             "where each notice's text goes",
    "notice.not_found": "no notice template {key!r}",
    "notice.unreadable": "the template cannot be read: {error}",
    "schedule.unreadable": "cannot read {token!r} in a schedule",
    "schedule.bad_step": "bad step in {part!r}",
    "schedule.out_of_range": "{part!r} is outside {low}-{high}",
    "schedule.nth_weekday": "{part!r}: use a single weekday with #1 to #5",
    "schedule.five_fields": "a schedule has five fields: minute hour day month weekday",
    # call-back requests
    "callback.not_found": "no call-back request #{number}",
    "callback.name_missing": "please give your name",
    "callback.name_too_long": "the name is longer than {limit} characters",
    "callback.phone_missing": "please give a phone number we can call",
    "callback.comment_too_long": "the comment is longer than {limit} characters",
    "callback.processed": "this request has already been processed",
    "callback.postpone_past": "a request can only be postponed to a time in the future",
    "callback.open_first": "open the request for processing first",
    "callback.held": "another employee is processing this request",
    "callback.held_by": "{name} has been processing this request since {since} UTC",
    # the demo desk
    "demo.no_admin": "the demo needs an active administrator to set the desk up",
    "demo.not_empty": "the database already has {count} tickets; demo data goes into an "
                      "empty database (use --if-empty to skip quietly)",
    "demo.not_written": "contact {name} has not written yet",
}


def define(refusals: Mapping[str, str]) -> None:
    """Adapters' own refusals (an out-of-date button, a command's usage) join the registry;
    a code is defined once."""
    clash = set(refusals) & set(REFUSALS)
    if any(REFUSALS[code] != refusals[code] for code in clash):
        raise ValueError(f"refusal codes defined twice: {sorted(clash)}")
    REFUSALS.update(refusals)


def english(code: str, params: Mapping[str, object]) -> str:
    """The refusal in the desk's source language."""
    return REFUSALS[code].format(**params)
