"""The resolution question's buttons once the client has answered it, in every messenger:
which presses still apply (confirm or reopen a resolved ticket, stars until it is rated), the
polite answer to one that no longer does, and the outcome the question then shows. After the
stars, a comment is an explicit choice ("Add a comment" / "Skip"), taken from the client's
next message only, within `COMMENT_WINDOW`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from bots.i18n import Translator
from core.statuses import CLOSED, RESOLVED

COMMENT_WINDOW = timedelta(minutes=10)
COMMENT_PROMPT = ("Please write your comment on ticket #{number} in your next message (within "
                  "10 minutes). After that, your messages go to the ticket as usual.")
ASK_COMMENT = "Would you like to add a comment to your rating?"
ADD_COMMENT = "Add a comment"
SKIP = "Skip"


@dataclass(frozen=True)
class Answered:
    """Where the ticket stands for the question: its status and rating."""

    number: int
    status: str
    rating: int | None

    def stale(self, action: str) -> bool:
        """The press no longer applies: a closed ticket takes only stars until rated (the
        client confirmed first) and a comment once rated; a ticket open again takes none of
        confirm, reopen and comment. Stars on a ticket never resolved are the core's to
        refuse."""
        if action in ("comment", "skip"):
            return self.rating is None or self.status != CLOSED
        if self.status == CLOSED:
            return action != "rate" or self.rating is not None
        return self.status != RESOLVED and action != "rate"

    def refusal(self, _: Translator, action: str) -> str:
        """The answer to a press that no longer applies: it changes nothing."""
        if self.status == CLOSED and action == "rate":
            return _("You have already rated ticket #{number}. Thank you!", number=self.number)
        if self.status == CLOSED:
            return _("Ticket #{number} is already closed. Just write to us if you need more "
                     "help.", number=self.number)
        return _("These buttons no longer apply to ticket #{number}.", number=self.number)

    def outcome(self, _: Translator) -> str:
        """The line the question ends with once answered (not while resolved: then it is
        a live question again)."""
        if self.status == CLOSED and self.rating is not None:
            return _("Closed — rated {score}★", score=self.rating)
        if self.status == CLOSED:
            return _("Closed. You can still rate our work:")
        return _("Ticket #{number} is open again.", number=self.number)

    @property
    def stars_left(self) -> bool:
        """The stars stay under the outcome: the ticket may still be rated."""
        return self.status == CLOSED and self.rating is None
