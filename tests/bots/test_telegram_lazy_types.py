"""The Telegram adapter imports aiogram without building all of its ~400 type validators (about
105 MB), and every type still works when it is first met. Each check runs in a fresh
interpreter, since this one has imported aiogram long ago."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _run(code: str) -> dict[str, object]:
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_importing_the_adapter_leaves_the_types_unbuilt_until_they_are_met() -> None:
    result = _run("""
import json, bots.telegram.setup, bots.telegram.inbound
import aiogram.types as t
types = [getattr(t, n) for n in t.__all__ if hasattr(getattr(t, n), "model_rebuild")]
unbuilt = sum(not c.__pydantic_complete__ for c in types)
update = t.Update.model_validate({"update_id": 7, "message": {
    "message_id": 3, "date": 1700000000, "chat": {"id": 42, "type": "private"},
    "from": {"id": 42, "is_bot": False, "first_name": "Ann", "language_code": "fa"},
    "photo": [{"file_id": "f", "file_unique_id": "u", "width": 9, "height": 9}],
    "caption": "see", "reply_to_message": {"message_id": 2, "date": 1699999999,
    "chat": {"id": 42, "type": "private"}, "text": "earlier"}}})
from aiogram.methods.base import Response
answer = Response[list[t.Update]].model_validate({"ok": True, "result": [{"update_id": 8,
    "callback_query": {"id": "q", "chat_instance": "c", "data": "rate:5",
    "from": {"id": 42, "is_bot": False, "first_name": "Ann"}}}]})
print(json.dumps({"types": len(types), "unbuilt": unbuilt,
                  "callback": answer.result[0].callback_query.data,
                  "photo": update.message.photo[0].file_id,
                  "reply": update.message.reply_to_message.text,
                  "language": update.message.from_user.language_code}))
""")
    assert int(str(result["types"])) > 300
    assert int(str(result["unbuilt"])) == result["types"]
    assert (result["photo"], result["reply"], result["language"]) == ("f", "earlier", "fa")
    assert result["callback"] == "rate:5"  # as getUpdates parses its answer


def test_every_telegram_type_resolves_its_references_when_it_is_first_built() -> None:
    result = _run("""
import json, bots.telegram
import aiogram.types as t
failed = [n for n in t.__all__ if hasattr(getattr(t, n), "model_rebuild")
          and getattr(t, n).model_rebuild() is False]
print(json.dumps({"failed": failed}))
""")
    assert result["failed"] == []


def test_a_start_builds_the_answers_of_every_method_the_bot_calls() -> None:
    """aiogram reads each answer as `Response[result type]`, a class pydantic makes on the
    first call of the method; the start makes them all, so the first burst of messages does
    not pay for it."""
    result = _run("""
import json
from bots.telegram.lazy_types import answers_read_by
from bots.telegram.setup import _methods_we_call
from aiogram.methods.base import Response
methods = _methods_we_call()
before = set(Response.__subclasses__())
answers_read_by(methods)
made = set(Response.__subclasses__())
missing = [m.__name__ for m in methods if Response[m.__returning__] not in made]
print(json.dumps({"methods": sorted(m.__name__ for m in methods), "missing": missing,
                  "made": len(made - before)}))
""")
    methods = result["methods"]
    assert isinstance(methods, list)
    assert {"SendMessage", "CreateForumTopic", "EditMessageText", "GetUpdates"} <= set(methods)
    assert result["missing"] == []
    assert int(str(result["made"])) >= 5  # Message, ForumTopic, bool, a list of updates...


def test_a_webhook_start_builds_the_update_it_reads_alone() -> None:
    """A webhook reads each update alone with `Update.model_validate`: the start builds that
    validator too, so the first update does not wait for it (polling's updates come inside
    getUpdates' answer, built with the other answers)."""
    result = _run("""
import asyncio, json
from bots.telegram.config import TelegramConfig
from bots.telegram.setup import install_telegram
from aiogram.types import Update
from chatdesk.bootstrap import SystemClock, build_desk
from chatdesk.runtime import Runtime

async def start(mode):
    config = TelegramConfig(token="1:T", api_url="http://127.0.0.1:9", agent_chat_id=-100,
                            mode=mode, webhook_url="https://desk.example/telegram/webhook"
                            if mode == "webhook" else None, webhook_secret="s" if mode ==
                            "webhook" else None)
    await install_telegram(Runtime(build_desk()), None, SystemClock(), config=config)
    return Update.__pydantic_complete__

polling = asyncio.run(start("polling"))
webhook = asyncio.run(start("webhook"))
print(json.dumps({"polling": polling, "webhook": webhook}))
""")
    assert result == {"polling": False, "webhook": True}

