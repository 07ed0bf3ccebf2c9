"""Table reports as downloads: XLSX (openpyxl) and CSV (UTF-8 with BOM, so Excel reads it).
Cells that start like a formula are prefixed with a quote: a client's name is never run."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from aiohttp import web
from openpyxl import Workbook

Table = tuple[Sequence[str], Sequence[Sequence[object]]]

_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def _safe(value: object) -> object:
    if isinstance(value, str) and value.startswith(_FORMULA):
        return "'" + value
    return value


def xlsx(title: str, table: Table) -> bytes:
    header, rows = table
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title[:31]
    sheet.append(list(header))
    for row in rows:
        sheet.append([_safe(v) for v in row])
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


def download(name: str, fmt: str, title: str, table: Table) -> web.Response:
    if fmt == "xlsx":
        body = xlsx(title, table)
        mime = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        body, mime = csv_bytes(table), "text/csv; charset=utf-8"
        fmt = "csv"
    return web.Response(body=body, headers={
        "Content-Type": mime,
        "Content-Disposition": f'attachment; filename="{name}.{fmt}"'})
