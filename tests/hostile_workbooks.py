"""Workbooks built to exhaust a spreadsheet reader, for the tests of the checks before reading.

Each starts from a real workbook written by openpyxl and edits the XML (or the zip) inside it,
as an attacker would; the ``.ods`` ones are written by hand (a zip of ``mimetype`` and
``content.xml``), as small as LibreOffice's own.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
from collections.abc import Callable
from xml.sax.saxutils import escape

from openpyxl import Workbook

from creditbox.application.records import Sheet
from creditbox.sample_data import HEADERS, SampleSpec, generate, workbook_bytes

CUSTOMERS_XML = "xl/worksheets/sheet1.xml"


def small_workbook() -> bytes:
    """The smallest workbook of the default layout: the customers sheet, its header and one row."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = Sheet.CUSTOMERS
    sheet.append(list(HEADERS[Sheet.CUSTOMERS]))
    sheet.append(["C1", "Mario Rossi", 1, "RSSMRA80A01H501U"])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def good_workbook(customers: int = 6) -> bytes:
    return workbook_bytes(generate(SampleSpec(customers=customers)))


def edit_member(content: bytes, member: str, change: Callable[[bytes], bytes]) -> bytes:
    """The same zip with ``member`` rewritten (added when missing)."""
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        names = source.namelist()
        for name in names:
            data = source.read(name)
            target.writestr(name, change(data) if name == member else data)
        if member not in names:
            target.writestr(member, change(b""))
    return out.getvalue()


def add_cells(content: bytes, xml: str, member: str = CUSTOMERS_XML) -> bytes:
    """``xml`` (rows and cells) appended at the end of the sheet's data."""
    return edit_member(content, member, lambda data: data.replace(b"</sheetData>", xml.encode() + b"</sheetData>"))


def far_cell(ref: str = "XFD1048576") -> bytes:
    """The reproduction: a small workbook whose only extra cell is at ``ref``."""
    row = "".join(ch for ch in ref if ch.isdigit())
    return add_cells(small_workbook(), f'<row r="{row}"><c r="{ref}" t="inlineStr"><is><t>x</t></is></c></row>')


def whitespace_sheet(rows: int, columns: int) -> bytes:
    """A sheet full of cells holding only spaces (no reference attributes: the reader counts)."""
    cell = '<c t="inlineStr"><is><t xml:space="preserve">   </t></is></c>'
    body = "".join(f"<row>{cell * columns}</row>" for _ in range(rows))
    return add_cells(small_workbook(), body)


def declared_dimension(ref: str) -> bytes:
    """The customers sheet declaring its used range as ``ref``."""
    declared = f'<dimension ref="{ref}"'.encode()
    return edit_member(small_workbook(), CUSTOMERS_XML, lambda data: re.sub(rb'<dimension ref="[^"]*"', declared, data))


def many_cells(count: int, per_row: int = 10) -> bytes:
    rows = []
    for r in range(3, 3 + count // per_row):
        cells = "".join(f'<c r="{chr(65 + c)}{r}"><v>1</v></c>' for c in range(per_row))
        rows.append(f'<row r="{r}">{cells}</row>')
    return add_cells(small_workbook(), "".join(rows))


def bomb_member(megabytes: int = 64) -> bytes:
    """An extra member of zeros: a few kilobytes that decompress to ``megabytes``."""
    return edit_member(small_workbook(), "xl/media/image1.bin", lambda _: bytes(megabytes << 20))


def lying_size(delta: int) -> bytes:
    """The customers sheet declaring ``delta`` bytes more (or fewer) than it holds, in its local
    header and in the central directory."""
    content = bytearray(small_workbook())
    info = zipfile.ZipFile(io.BytesIO(bytes(content))).getinfo(CUSTOMERS_XML)
    declared = info.file_size + delta
    local = info.header_offset
    assert content[local : local + 4] == b"PK\x03\x04"
    struct.pack_into("<I", content, local + 22, declared)
    central = content.find(b"PK\x01\x02")
    while central >= 0:
        name_length = struct.unpack_from("<H", content, central + 28)[0]
        if content[central + 46 : central + 46 + name_length] == CUSTOMERS_XML.encode():
            struct.pack_into("<I", content, central + 24, declared)
            return bytes(content)
        central = content.find(b"PK\x01\x02", central + 4)
    raise AssertionError("central directory entry not found")


def deep_row(row: int) -> bytes:
    return add_cells(small_workbook(), f'<row r="{row}"><c r="A{row}"><v>1</v></c></row>')


def long_shared_string(characters: int) -> bytes:
    """A shared strings part holding one string of ``characters`` varied letters."""
    text = "".join(chr(97 + (i * 7919) % 26) for i in range(characters))
    xml = f'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>{text}</t></si></sst>'
    return edit_member(small_workbook(), "xl/sharedStrings.xml", lambda _: xml.encode())


def xlsb() -> bytes:
    """A zip with a binary workbook part, as ``.xlsb`` has: a format no check reads."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        target.writestr("[Content_Types].xml", "<Types/>")
        target.writestr("xl/workbook.bin", b"\x83\x01\x00")
    return out.getvalue()


ODS_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
    ' xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"'
    ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
    "<office:body><office:spreadsheet>"
)
ODS_TAIL = "</office:spreadsheet></office:body></office:document-content>"


def ods_cell(value: object, repeat: int = 1) -> str:
    attributes = f' table:number-columns-repeated="{repeat}"' if repeat > 1 else ""
    if isinstance(value, int):
        return (
            f'<table:table-cell office:value-type="float" office:value="{value}"{attributes}>'
            f"<text:p>{value}</text:p></table:table-cell>"
        )
    text = escape(str(value))
    return f'<table:table-cell office:value-type="string"{attributes}><text:p>{text}</text:p></table:table-cell>'


def ods_row(cells: str, repeat: int = 1) -> str:
    attributes = f' table:number-rows-repeated="{repeat}"' if repeat > 1 else ""
    return f"<table:table-row{attributes}>{cells}</table:table-row>"


def ods(rows: str, *, doctype: str = "", sheet: str = Sheet.CUSTOMERS) -> bytes:
    """An ``.ods`` with one sheet: its header (the default layout's customers), then ``rows``;
    ``doctype`` goes right after the XML declaration."""
    header = ods_row("".join(ods_cell(h) for h in HEADERS[Sheet.CUSTOMERS]))
    head = ODS_HEAD.replace("?>", f"?>{doctype}", 1)
    content = f'{head}<table:table table:name="{sheet}">{header}{rows}</table:table>{ODS_TAIL}'
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        target.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        target.writestr("content.xml", content)
        target.writestr(
            "META-INF/manifest.xml",
            '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">'
            '<manifest:file-entry manifest:full-path="/" manifest:media-type='
            '"application/vnd.oasis.opendocument.spreadsheet"/>'
            '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
            "</manifest:manifest>",
        )
    return out.getvalue()


def ods_customer(code: str = "C1") -> str:
    return ods_row("".join(ods_cell(v) for v in (code, "Mario Rossi", 1, "RSSMRA80A01H501U")))
