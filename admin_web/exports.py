"""Table reports as downloads: XLSX (openpyxl) and CSV (UTF-8 with BOM, so Excel reads it).
Cells that start like a formula are prefixed with a quote: a client's name is never run."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterable, AsyncIterator, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from aiohttp import web
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

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


def _cell(sheet: Any, value: object) -> object:
    if isinstance(value, timedelta):  # hours past 24 too, and a sum still works
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "[h]:mm"
        return cell
    if isinstance(value, datetime):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "yyyy-mm-dd hh:mm"
        return cell
    return _safe(value)


async def xlsx(sheets: Sequence[Sheet]) -> bytes:
    """A write-only workbook: each row goes to disk as it is written, whatever the count."""
    book = Workbook(write_only=True)
    for spec in sheets:
        sheet = book.create_sheet(spec.title.translate(_NOT_IN_TITLES)[:31])
        for i, width in enumerate(spec.widths or _width(spec.header, [])):
            sheet.column_dimensions[get_column_letter(i + 1)].width = width
        bold = []
        for name in spec.header:
            cell = WriteOnlyCell(sheet, value=_safe(name))
            cell.font = Font(bold=True)
            bold.append(cell)
        sheet.append(bold)
        sheet.freeze_panes = "A2"
        async for row in _rows(spec.rows):
            sheet.append([_cell(sheet, v) for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_bytes(table: Table) -> bytes:
    header, rows = table
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows:
        writer.writerow([_safe(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode()


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def attachment(name: str, fmt: str, body: bytes) -> web.Response:
    mime = XLSX if fmt == "xlsx" else "text/csv; charset=utf-8"
    return web.Response(body=body, headers={
        "Content-Type": mime,
        "Content-Disposition": f'attachment; filename="{name}.{fmt}"'})
