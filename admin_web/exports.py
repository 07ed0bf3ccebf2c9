"""Table reports as downloads: XLSX (admin_web/xlsx_writer.py) and CSV (UTF-8 with BOM, so
Excel reads it). Cells that start like a formula are prefixed with a quote: a client's name
is never run."""

from __future__ import annotations

import asyncio
import csv
import io
import tempfile
from collections.abc import AsyncIterable, AsyncIterator, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from aiohttp import web

from admin_web import xlsx_writer

Table = tuple[Sequence[str], Sequence[Sequence[object]]]

_FORMULA = ("=", "+", "-", "@", "\t", "\r")
_NOT_IN_TITLES = str.maketrans({c: " " for c in "[]:*?/\\"})  # Excel refuses these


def _safe(value: object) -> object:
    if isinstance(value, str) and value.startswith(_FORMULA):
        return "'" + value
    return value


@dataclass
class Sheet:
    """One sheet of a workbook: a bold header, then rows as they come."""

    title: str
    header: Sequence[str]
    rows: Iterable[Sequence[object]] | AsyncIterable[Sequence[object]]
    widths: Sequence[int] = ()  # characters per column; guessed from the header when empty


def _width(header: Sequence[str], rows: Iterable[Sequence[object]]) -> list[int]:
    widths = [len(str(h)) for h in header]
    for row in rows:
        for i, value in enumerate(row[:len(widths)]):
            widths[i] = max(widths[i], len(str(value if value is not None else "")))
    return [min(60, w + 2) for w in widths]


def summary_sheet(title: str, table: Table) -> Sheet:
    header, rows = table
    return Sheet(title, header, rows, _width(header, rows))


async def _rows(rows: Iterable[Sequence[object]] | AsyncIterable[Sequence[object]]
                ) -> AsyncIterator[Sequence[object]]:
    if isinstance(rows, AsyncIterable):
        async for row in rows:
            yield row
    else:
        for row in rows:
            yield row


BATCH = 2000  # rows handed to the writer thread at a time
CHUNK = 256 * 1024  # bytes per write of a download


def _append(book: xlsx_writer.Workbook, rows: list[Sequence[object]]) -> None:
    book.append([[_safe(v) for v in row] for row in rows])


_DONE = object()


class _Prefetch:
    """An async row source read ahead by a task into a short queue: the sheets' rows are
    read from the database at the same time (one connection each) while earlier sheets are
    written."""

    def __init__(self, rows: AsyncIterable[Sequence[object]], depth: int = 2 * BATCH) -> None:
        self.queue: asyncio.Queue[object] = asyncio.Queue(depth)
        self.task = asyncio.ensure_future(self._fill(rows))

    async def _fill(self, rows: AsyncIterable[Sequence[object]]) -> None:
        try:
            async for row in rows:
                await self.queue.put(row)
        finally:
            await self.queue.put(_DONE)

    async def __aiter__(self) -> AsyncIterator[Sequence[object]]:
        while (row := await self.queue.get()) is not _DONE:
            yield row  # type: ignore[misc]
        await self.task  # its error, if it had one


async def xlsx_file(sheets: Sequence[Sheet], path: Path) -> None:
    """The workbook written to `path`: rows are read here and written a batch at a time in
    a worker thread straight into the zip (admin_web/xlsx_writer.py), so neither the rows nor
    the writing hold the event loop; the next batch is read while one is written."""
    book = await asyncio.to_thread(xlsx_writer.Workbook, path)
    writing: asyncio.Future[None] | None = None  # the batch before, still being written

    async def drain() -> None:
        nonlocal writing
        if writing is not None:
            done, writing = writing, None
            await done

    async def write(rows: list[Sequence[object]]) -> None:
        nonlocal writing
        await drain()
        writing = asyncio.ensure_future(asyncio.to_thread(_append, book, rows))

    ahead = [_Prefetch(spec.rows) if isinstance(spec.rows, AsyncIterable) else None
             for spec in sheets]
    try:
        for spec, early in zip(sheets, ahead, strict=True):
            await drain()  # the sheet before is written out first
            await asyncio.to_thread(
                book.start_sheet, spec.title.translate(_NOT_IN_TITLES)[:31],
                [str(_safe(h)) for h in spec.header], spec.widths or _width(spec.header, []))
            batch: list[Sequence[object]] = []
            async for row in _rows(early or spec.rows):
                batch.append(row)
                if len(batch) >= BATCH:
                    await write(batch)
                    batch = []
            await write(batch)
        await drain()
    finally:
        for early in ahead:
            if early is not None:
                early.task.cancel()
        if writing is not None:
            await asyncio.wait([writing])  # never close the file under a writing thread
        await asyncio.to_thread(book.close)


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _headers(name: str, fmt: str) -> dict[str, str]:
    return {"Content-Type": XLSX if fmt == "xlsx" else "text/csv; charset=utf-8",
            "Content-Disposition": f'attachment; filename="{name}.{fmt}"'}


async def stream_csv(request: web.Request, name: str, header: Sequence[str],
                     rows: Iterable[Sequence[object]] | AsyncIterable[Sequence[object]]
                     ) -> web.StreamResponse:
    """A CSV download sent as its rows come, a few hundred rows per write."""
    response = web.StreamResponse(headers=_headers(name, "csv"))
    await response.prepare(request)
    out = io.StringIO()
    writer = csv.writer(out)
    out.write("\ufeff")
    writer.writerow(header)
    count = 0
    async for row in _rows(rows):
        writer.writerow([_safe(v) for v in row])
        count += 1
        if count % BATCH == 0:
            await response.write(out.getvalue().encode())
            out.seek(0)
            out.truncate()
    await response.write(out.getvalue().encode())
    await response.write_eof()
    return response


async def stream_xlsx(request: web.Request, name: str, sheets: Sequence[Sheet]
                      ) -> web.StreamResponse:
    """An XLSX download: the workbook written off the event loop into a temporary file,
    then sent from it in chunks."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "book.xlsx"
        await xlsx_file(sheets, path)
        response = web.StreamResponse(headers=_headers(name, "xlsx"))
        response.content_length = path.stat().st_size
        await response.prepare(request)
        with path.open("rb") as book:
            while chunk := await asyncio.to_thread(book.read, CHUNK):
                await response.write(chunk)
        await response.write_eof()
    return response
