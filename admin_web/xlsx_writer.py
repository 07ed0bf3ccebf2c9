"""A streaming XLSX writer for the exports: each sheet's rows go straight into its deflated
zip entry as XML, a batch at a time, so a sheet of 100,000 tickets takes seconds and little
memory (openpyxl's write-only mode spends ~18 µs a cell). Only what the exports use: inline
strings, numbers, booleans, dates, durations ("[h]:mm"), a bold header row, column widths
and the header frozen."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import IO
from xml.sax.saxutils import escape, quoteattr

EPOCH = datetime(1899, 12, 30)  # day 0 of Excel's 1900 date system, as it counts
BOLD, DURATION, MOMENT = 1, 2, 3  # style indexes in STYLES
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
DOC = "application/vnd.openxmlformats-officedocument.spreadsheetml"

STYLES = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet {NS}><numFmts count="2"><numFmt numFmtId="164" formatCode="[h]:mm"/>
<numFmt numFmtId="165" formatCode="yyyy-mm-dd hh:mm"/></numFmts>
<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>
<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>
<fills count="2"><fill><patternFill patternType="none"/></fill>
<fill><patternFill patternType="gray125"/></fill></fills>
<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>
<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>
<cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>
<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>
<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>
<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>
</cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/>
</cellStyles></styleSheet>"""


def get_column_letter(number: int) -> str:
    """A, B, ... Z, AA, AB, ...: the column of a 1-based number."""
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _text(value: str) -> str:
    return escape(_NOT_XML.sub("", value))


def cell(ref: str, value: object, style: int = 0) -> str:
    """One cell's XML; an empty one for None."""
    s = f' s="{style}"' if style else ""
    if value is None:
        return f'<c r="{ref}"{s}/>'
    if isinstance(value, bool):
        return f'<c r="{ref}" t="b"{s}><v>{int(value)}</v></c>'
    if isinstance(value, int | float):
        return f'<c r="{ref}"{s}><v>{value!r}</v></c>'
    if isinstance(value, timedelta):
        return f'<c r="{ref}" s="{DURATION}"><v>{value / timedelta(days=1)!r}</v></c>'
    if isinstance(value, datetime):
        days = (value.replace(tzinfo=None) - EPOCH) / timedelta(days=1)
        return f'<c r="{ref}" s="{MOMENT}"><v>{days!r}</v></c>'
    if isinstance(value, date):
        return cell(ref, datetime(value.year, value.month, value.day), style)
    return f'<c r="{ref}" t="inlineStr"{s}><is><t xml:space="preserve">{_text(str(value))}' \
        '</t></is></c>'


class Workbook:
    """Sheets written one after another into a zip file at `path`."""

    def __init__(self, path: Path) -> None:
        self.zip = zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1)
        self.titles: list[str] = []
        self.entry: IO[bytes] | None = None
        self.row = 0
        self.letters: list[str] = []

    def start_sheet(self, title: str, header: Sequence[str], widths: Sequence[int]) -> None:
        self._end_sheet()
        self.titles.append(title)
        self.entry = self.zip.open(f"xl/worksheets/sheet{len(self.titles)}.xml", "w")
        self.letters = [get_column_letter(i + 1) for i in range(max(len(header), 1) + 30)]
        cols = "".join(f'<col min="{i + 1}" max="{i + 1}" width="{w}" customWidth="1"/>'
                       for i, w in enumerate(widths))
        self._write(
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet {NS}>'
            '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2"'
            ' activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>'
            + (f"<cols>{cols}</cols>" if cols else "") + "<sheetData>")
        self.row = 0
        self.append([header], BOLD)

    def append(self, rows: Sequence[Sequence[object]], style: int = 0) -> None:
        parts = []
        letters = self.letters
        for values in rows:
            self.row += 1
            n = str(self.row)
            while len(letters) < len(values):
                letters.append(get_column_letter(len(letters) + 1))
            parts.append(f'<row r="{n}">' + "".join(
                cell(letters[i] + n, v, style) for i, v in enumerate(values)) + "</row>")
        self._write("".join(parts))

    def _write(self, text: str) -> None:
        assert self.entry is not None
        self.entry.write(text.encode())

    def _end_sheet(self) -> None:
        if self.entry is not None:
            self._write("</sheetData></worksheet>")
            self.entry.close()
            self.entry = None

    def close(self) -> None:
        self._end_sheet()
        sheets = "".join(f"<sheet name={quoteattr(_NOT_XML.sub('', t))} sheetId=\"{i + 1}\""
                         f' r:id="rId{i + 1}"/>' for i, t in enumerate(self.titles))
        rels = "".join(f'<Relationship Id="rId{i + 1}" Type="{REL}/worksheet"'
                       f' Target="worksheets/sheet{i + 1}.xml"/>'
                       for i in range(len(self.titles)))
        styles = len(self.titles) + 1
        files = {
            "[Content_Types].xml": (
                '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns='
                '"http://schemas.openxmlformats.org/package/2006/content-types">'
                '<Default Extension="rels" ContentType="application/vnd.openxmlformats-'
                'package.relationships+xml"/><Default Extension="xml" ContentType='
                '"application/xml"/><Override PartName="/xl/workbook.xml" ContentType='
                f'"{DOC}.sheet.main+xml"/><Override PartName="/xl/styles.xml" ContentType='
                f'"{DOC}.styles+xml"/>' + "".join(
                    f'<Override PartName="/xl/worksheets/sheet{i + 1}.xml" ContentType='
                    f'"{DOC}.worksheet+xml"/>' for i in range(len(self.titles)))
                + "</Types>"),
            "_rels/.rels": (
                '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns='
                '"http://schemas.openxmlformats.org/package/2006/relationships">'
                f'<Relationship Id="rId1" Type="{REL}/officeDocument"'
                ' Target="xl/workbook.xml"/></Relationships>'),
            "xl/workbook.xml": (
                f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook {NS}'
                f' xmlns:r="{REL}"><sheets>{sheets}</sheets></workbook>'),
            "xl/_rels/workbook.xml.rels": (
                '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns='
                f'"http://schemas.openxmlformats.org/package/2006/relationships">{rels}'
                f'<Relationship Id="rId{styles}" Type="{REL}/styles" Target="styles.xml"/>'
                "</Relationships>"),
            "xl/styles.xml": STYLES,
        }
        for name, text in files.items():
            self.zip.writestr(name, text)
        self.zip.close()
