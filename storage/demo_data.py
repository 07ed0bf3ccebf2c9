"""What the demo loader writes besides its commands: the demo queues nothing for the bots
(its clients are made up), so its past replies are marked as delivered, as the story has it;
otherwise every old reply would read "pending" for ever."""

from __future__ import annotations

from storage import models as m


async def mark_past_replies_delivered() -> int:
    """The employees' public comments still pending count as sent; returns how many."""
    return await m.CommentRow.filter(author_kind="employee", public=True,
                                     delivery="pending").update(delivery="sent")
