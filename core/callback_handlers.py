"""Handlers of the call-back queue (docs/DOMAIN.md §10). Each writes the request itself, with a
version check, so two employees opening one request at once cannot both hold it: the loser's
command is retried by the desk and then told who holds the request."""

from __future__ import annotations

from core import commands as c
from core.callbacks import CallbackRequest, new_request
from core.context import HandlerContext
from core.errors import NotFound


async def register_callback(cmd: c.RegisterCallback, ctx: HandlerContext) -> CallbackRequest:
    if cmd.employee_id is not None:
        await ctx.active_employee(cmd.employee_id)
    request = await ctx.uow.callbacks.add(new_request(cmd.name, cmd.phone, cmd.comment,
                                                      ctx.now))
    ctx.tell_team("callback_new", request_id=request.id, name=request.name,
                  phone=request.phone, comment=request.comment)
    return request


async def open_callback(cmd: c.OpenCallback, ctx: HandlerContext) -> CallbackRequest:
    await ctx.active_employee(cmd.employee_id)
    request = await ctx.uow.callbacks.get(cmd.request_id)
    holder = ""
    if request.holder_id not in (None, cmd.employee_id):
        try:
            holder = (await ctx.uow.employees.get(request.holder_id or 0)).name
        except NotFound:
            holder = f"employee #{request.holder_id}"
    request.open(cmd.employee_id, ctx.now, holder, cmd.stale_after)
    await ctx.uow.callbacks.save(request)
    return request


async def release_callback(cmd: c.ReleaseCallback, ctx: HandlerContext) -> CallbackRequest:
    request = await _held(cmd.request_id, cmd.employee_id, ctx)
    request.release(cmd.employee_id, ctx.now)
    await ctx.uow.callbacks.save(request)
    return request


async def mark_callback_processed(cmd: c.MarkCallbackProcessed,
                                  ctx: HandlerContext) -> CallbackRequest:
    request = await _held(cmd.request_id, cmd.employee_id, ctx)
    request.mark_processed(cmd.employee_id, ctx.now)
    await ctx.uow.callbacks.save(request)
    return request


async def postpone_callback(cmd: c.PostponeCallback, ctx: HandlerContext) -> CallbackRequest:
    request = await _held(cmd.request_id, cmd.employee_id, ctx)
    request.postpone(cmd.employee_id, cmd.until, ctx.now)
    await ctx.uow.callbacks.save(request)
    return request


async def _held(request_id: int, employee_id: int, ctx: HandlerContext) -> CallbackRequest:
    await ctx.active_employee(employee_id)
    return await ctx.uow.callbacks.get(request_id)
