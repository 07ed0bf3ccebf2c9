"""Queued text-only client messages for one topic merged into few posts: the group limit is
20 posts a minute, so a client who writes in bursts is shown in posts of up to 4096
characters, each message's text as it was written (escaped), under one header."""

from __future__ import annotations

from collections.abc import Sequence

from bots.telegram import render_agents as ra
from bots.telegram.render import MAX_TEXT, esc, utf16_len, visible_len
from core.outbox import Audience, OutboundMessage
from storage.views import CommentView


def mergeable_run(messages: Sequence[OutboundMessage],
                  comments: dict[int, CommentView]) -> list[CommentView]:
    """The leading client messages that are text only and short enough to share a post."""
    run: list[CommentView] = []
    for message in messages:
        comment = comments.get(message.comment_id or 0)
        if (message.kind != "client_comment" or message.audience is not Audience.AGENTS
                or comment is None or comment.attachments or not comment.body.strip()
                or (run and comment.author_name != run[0].author_name)
                or merged_len(ra.client_header(comment), [comment]) > MAX_TEXT):
            break
        run.append(comment)
    return run


def posts_of(run: list[CommentView], footer: str | None = None
             ) -> list[tuple[list[CommentView], str]]:
    """The run cut into posts, each with the comments it carries and its text; the footer
    (a heads-up riding on the comments) ends the last one."""
    header = ra.client_header(run[0])
    parts: list[list[CommentView]] = [[]]
    room = MAX_TEXT - (visible_len(footer) + 1 if footer else 0)
    for comment in run:
        if parts[-1] and merged_len(header, [*parts[-1], comment]) > room:
            parts.append([])
        parts[-1].append(comment)
    posts = []
    for number, part in enumerate(parts, 1):
        text = header + "\n" + "\n\n".join(esc(c.body.strip()) for c in part)
        if footer and number == len(parts):
            text += "\n" + footer
        posts.append((part, text))
    return posts


def only_news_of_comments(message: OutboundMessage) -> bool:
    return message.kind == "heads_up" and message.payload.get("news") == ["comment"]


def merged_len(header: str, comments: list[CommentView]) -> int:
    body = "\n\n".join(c.body.strip() for c in comments)
    return visible_len(header) + 1 + utf16_len(body)
