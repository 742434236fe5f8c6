"""Checking a workbook before any spreadsheet reader sees it: nothing in it may make the reader
allocate more than the limits allow.

A reader allocates a sheet's whole used range (rows × columns) at once, so a 5 KB file whose
only extra cell is at ``XFD1048576`` asks for hundreds of gigabytes. Every check here streams:
zip members are decompressed chunk by chunk (never held whole), XML is scanned with regular
expressions over the chunks (``.xlsx``) or with expat's event callbacks (``.ods``), never loaded.

Checked, each against ``WorkbookLimits`` (refusal: ``UnreadableFile`` with an Italian reason):

- the kind (``application/file_formats.py``): a zip holding an ``.xlsx`` (``xl/workbook.xml``) or
  an ``.ods`` (``content.xml`` and its ``mimetype``), any other zip (``.xlsb``) refused; an
  ``.xls`` (bounded by its own format: only its size is checked); a CSV file passes, its rows
  and columns are checked as it streams;
- the zip: number of members, each member's declared size, the total of the declared sizes, the
  compression ratio of every member larger than ``ratio_floor_bytes``, and the real size: a
  member that decompresses to more (or less) than it declares, or whose CRC does not match, is
  refused;
- the text: the longest run of characters between two tags (a string cell, or whitespace
  padding) is at most ``max_text_bytes``;
- every sheet (each ``.xml`` member of ``.xlsx``, each table of an ``.ods``): the declared
  ``<dimension>``, the largest row number and column of any cell reference, the numbers of rows
  and cells, and the area rows × columns the reader would allocate.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from operator import itemgetter
from xml.parsers import expat

from creditbox.application.file_formats import FileFormat, detect_format
from creditbox.application.records import UnreadableFile

EXCEL_ROWS = 1_048_576
EXCEL_COLUMNS = 16_384
CHUNK = 4 << 20
ZIP_MAGIC = b"PK\x03\x04"
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"


@dataclass(frozen=True)
class WorkbookLimits:
    """What a workbook may hold. The defaults let a workbook of 1,000,000 bills (plus its
    customers, supplies and payments sheets) through with room to spare, and keep what a reader
    allocates for one sheet well under a gigabyte."""

    max_rows: int = 1_100_000  # per sheet (the last row number of any cell)
    max_columns: int = 256  # per sheet (IV; the default layout uses at most 12)
    max_cells: int = 20_000_000  # per sheet: the area rows × columns, and the cells written
    max_members: int = 2_000  # zip members
    max_member_bytes: int = 2 << 30  # decompressed size of one member (2 GiB)
    max_total_bytes: int = 4 << 30  # decompressed size of all members (4 GiB)
    max_ratio: int = 200  # decompressed / compressed, for members above the floor
    ratio_floor_bytes: int = 1 << 20  # smaller members may compress as well as they like
    max_text_bytes: int = 256 * 1024  # between two tags: Excel's 32,767 characters, escaped


def _refuse(file_name: str, reason: str) -> UnreadableFile:
    return UnreadableFile(f"{file_name}: file rifiutato prima della lettura: {reason}")


def thousands(number: int) -> str:
    """Thousands as Italian writes them: 1.048.576."""
    return f"{number:,}".replace(",", ".")


def column_number(letters: str) -> int:
    number = 0
    for letter in letters.upper():
        number = number * 26 + ord(letter) - 64
    return number


def check_workbook(content: bytes, file_name: str, limits: WorkbookLimits | None = None) -> None:
    """Raise ``UnreadableFile`` unless ``content`` is an ``.xlsx`` or ``.ods`` within ``limits``, an
    ``.xls`` within the size limit, or a CSV file (checked as it is read)."""
    limits = limits or WorkbookLimits()
    kind = detect_format(content, file_name)
    if kind is FileFormat.CSV:
        return  # read as it streams, its limits checked row by row (``tables.CsvTables``)
    if kind is FileFormat.XLS:
        _check_xls(content, file_name, limits)
        return
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as error:
        raise UnreadableFile(f"{file_name}: file Excel illeggibile ({error})") from None
    with archive:
        members = archive.infolist()
        _check_members(members, file_name, limits)
        names = {m.filename for m in members}
        try:
            if "xl/workbook.xml" in names:
                for member in members:
                    if member.filename.lower().endswith(".xml") and not member.is_dir():
                        _XlsxScan(member.filename, file_name, limits).run(_chunks(archive, member, file_name, limits))
                    else:
                        _drain(archive, member, file_name, limits)
            elif "content.xml" in names and archive.read("mimetype").strip() == ODS_MIMETYPE:
                for member in members:
                    if member.filename == "content.xml":
                        _OdsScan(file_name, limits).run(_chunks(archive, member, file_name, limits))
                    else:
                        _drain(archive, member, file_name, limits)
            else:
                raise _refuse(file_name, "non è una cartella di lavoro .xlsx o .ods (formati accettati)")
        except (zipfile.BadZipFile, zlib.error, OSError, EOFError, KeyError, NotImplementedError) as error:
            raise _refuse(file_name, f"archivio danneggiato ({error})") from None


def _check_xls(content: bytes, file_name: str, limits: WorkbookLimits) -> None:
    """An ``.xls`` (BIFF8) holds at most 65,536 rows of 256 columns per sheet, so what a reader
    allocates for a sheet is bounded by the format itself; only the file's size is checked (the
    reading process's memory limit covers the rest)."""
    if len(content) > limits.max_total_bytes:
        size, limit = thousands(len(content)), thousands(limits.max_total_bytes)
        raise _refuse(file_name, f"file .xls di {size} byte (limite {limit})")


def _check_members(members: list[zipfile.ZipInfo], file_name: str, limits: WorkbookLimits) -> None:
    if len(members) > limits.max_members:
        count, limit = thousands(len(members)), thousands(limits.max_members)
        raise _refuse(file_name, f"{count} elementi nell'archivio (limite {limit})")
    total = 0
    for member in members:
        if member.file_size > limits.max_member_bytes:
            raise _refuse(
                file_name,
                f"l'elemento {member.filename!r} dichiara {thousands(member.file_size)} byte decompressi"
                f" (limite {thousands(limits.max_member_bytes)})",
            )
        total += member.file_size
        _check_ratio(member, member.file_size, file_name, limits)
    if total > limits.max_total_bytes:
        limit = thousands(limits.max_total_bytes)
        raise _refuse(file_name, f"{thousands(total)} byte decompressi in tutto (limite {limit})")


def _check_ratio(member: zipfile.ZipInfo, size: int, file_name: str, limits: WorkbookLimits) -> None:
    if size > limits.ratio_floor_bytes and size > limits.max_ratio * max(member.compress_size, 1):
        raise _refuse(
            file_name,
            f"l'elemento {member.filename!r} è compresso {thousands(size // max(member.compress_size, 1))} volte"
            f" (limite {thousands(limits.max_ratio)}: possibile bomba zip)",
        )


def _chunks(
    archive: zipfile.ZipFile, member: zipfile.ZipInfo, file_name: str, limits: WorkbookLimits
) -> Iterator[bytes]:
    """The member's decompressed bytes, chunk by chunk; its real size checked against the declared
    one (``zipfile`` stops at the declared size and checks the CRC at the end)."""
    real = 0
    with archive.open(member) as stream:
        while chunk := stream.read(CHUNK):
            real += len(chunk)
            yield chunk
    if real != member.file_size:
        raise _refuse(
            file_name,
            f"l'elemento {member.filename!r} dichiara {thousands(member.file_size)} byte"
            f" ma ne contiene {thousands(real)}",
        )


def _drain(archive: zipfile.ZipFile, member: zipfile.ZipInfo, file_name: str, limits: WorkbookLimits) -> None:
    for _ in _chunks(archive, member, file_name, limits):
        continue  # each chunk is checked as it is read; the bytes themselves are not needed


class _TextRuns:
    """The longest run of bytes between two tags, across chunks (no ``<`` in XML text). A run
    longer than the limit holds a whole window of half the limit: only windows are probed, and
    the run is measured exactly around a window without any ``<``."""

    def __init__(self, member: str, file_name: str, limits: WorkbookLimits) -> None:
        self._limit = limits.max_text_bytes
        self._half = max(self._limit // 2, 1)
        self._run = 0
        self._where = (member, file_name)

    def feed(self, chunk: bytes) -> None:
        first = chunk.find(b"<")
        if first < 0:
            self._run += len(chunk)
            self._check(self._run)
            return
        self._check(self._run + first)
        last = chunk.rfind(b"<")
        for start in range(first + 1, last, self._half):
            if chunk.find(b"<", start, start + self._half) < 0:
                left = chunk.rfind(b"<", 0, start)
                right = chunk.find(b"<", start)
                self._check(right - left - 1)
        self._run = len(chunk) - last - 1

    def _check(self, run: int) -> None:
        if run > self._limit:
            member, file_name = self._where
            raise _refuse(
                file_name,
                f"nell'elemento {member!r} un testo (o uno spazio vuoto) supera {thousands(self._limit)} byte",
            )


# A tag with an optional namespace prefix; cell references are upper-case letters then digits.
_CELL = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c[\s/>]")
_CELL_REF = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c\s[^>]*?\br\s*=\s*[\"']\$?([A-Za-z]{1,10})\$?([0-9]{1,12})[\"']")
_ROW = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row[\s/>]")
_ROW_REF = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row\s[^>]*?\br\s*=\s*[\"']([0-9]{1,12})[\"']")
# The fast path: cells and rows as Excel, LibreOffice and openpyxl write them (no prefix, the
# reference first). Used for a chunk only when it accounts for every cell and row element there.
_PLAIN_CELL_REF = re.compile(rb'<c r="([A-Z]{1,10})([0-9]{1,12})"')
_PLAIN_ROW_REF = re.compile(rb'<row r="([0-9]{1,12})"')
_PREFIXED = re.compile(rb":(?:c|row)[\s/>]")
_UNUSUAL_SPACE = re.compile(rb"<(?:c|row)[\t\n\r/]")
_DIMENSION = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?dimension\s[^>]*?\bref\s*=\s*[\"']([^\"']{0,64})[\"']")
_RANGE_END = re.compile(r"\$?([A-Za-z]{1,10})\$?([0-9]{1,12})$")
_MAX_TAG = 64 * 1024


class _XlsxScan:
    """One XML member of an ``.xlsx``: cells, rows and the declared dimension, over chunks that
    are cut at the last ``<`` so no tag is split."""

    def __init__(self, member: str, file_name: str, limits: WorkbookLimits) -> None:
        self._member, self._file_name, self._limits = member, file_name, limits
        self._text = _TextRuns(member, file_name, limits)
        self.cells = self.referenced_cells = self.rows = self.referenced_rows = 0
        self.max_row = self.max_column = 0

    def run(self, chunks: Iterator[bytes]) -> None:
        carry = b""
        for chunk in chunks:
            self._text.feed(chunk)
            data = carry + chunk
            cut = data.rfind(b"<")
            if cut < 0:
                cut = len(data)
            if len(data) - cut > _MAX_TAG:
                raise self._refused(f"un elemento XML supera {thousands(_MAX_TAG)} byte")
            self._scan(data[:cut])
            carry = data[cut:]
        self._scan(carry)
        self._check()

    def _scan(self, data: bytes) -> None:
        if not data:
            return
        prefixed = _PREFIXED.search(data) is not None or _UNUSUAL_SPACE.search(data) is not None
        cells = len(_CELL.findall(data)) if prefixed else data.count(b"<c ") + data.count(b"<c>")
        self.cells += cells
        refs = _PLAIN_CELL_REF.findall(data)
        if prefixed or len(refs) != cells:
            refs = _CELL_REF.findall(data)
        if refs:
            self.referenced_cells += len(refs)
            letters = set(map(itemgetter(0), refs))
            self.max_column = max(self.max_column, *(column_number(c.decode()) for c in letters))
            self.max_row = max(self.max_row, max(map(int, map(itemgetter(1), refs))))
        count = len(_ROW.findall(data)) if prefixed else data.count(b"<row ") + data.count(b"<row>")
        self.rows += count
        rows = _PLAIN_ROW_REF.findall(data)
        if prefixed or len(rows) != count:
            rows = _ROW_REF.findall(data)
        if rows:
            self.referenced_rows += len(rows)
            self.max_row = max(self.max_row, max(map(int, rows)))
        for declared in _DIMENSION.findall(data) if b"dimension" in data else ():
            end = _RANGE_END.search(declared.decode("ascii", "replace").split(":")[-1])
            if end is None:
                raise self._refused(f"dimensione dichiarata non valida ({declared[:64]!r})")
            self._check_extent(int(end.group(2)), column_number(end.group(1)), "dimensione dichiarata")

    def _check(self) -> None:
        limits = self._limits
        # Cells and rows without a reference take the next position: count them as widening.
        rows = self.max_row + (self.rows - self.referenced_rows)
        columns = self.max_column + min(self.cells - self.referenced_cells, EXCEL_COLUMNS)
        if self.cells > limits.max_cells:
            raise self._refused(f"{thousands(self.cells)} celle (limite {thousands(limits.max_cells)})")
        self._check_extent(rows, columns, "ultima cella")

    def _check_extent(self, rows: int, columns: int, what: str) -> None:
        problem = _extent_problem(rows, columns, self._limits, what)
        if problem is not None:
            raise self._refused(problem)

    def _refused(self, reason: str) -> UnreadableFile:
        return _refuse(self._file_name, f"nel foglio {self._member!r} {reason}")


def _extent_problem(rows: int, columns: int, limits: WorkbookLimits, what: str) -> str | None:
    """Why a sheet reaching ``rows`` × ``columns`` is refused, or None."""
    if rows > limits.max_rows:
        return f"{what} alla riga {thousands(rows)} (limite {thousands(limits.max_rows)} righe)"
    if columns > limits.max_columns:
        return f"{what} alla colonna {thousands(columns)} (limite {thousands(limits.max_columns)} colonne)"
    if rows * columns > limits.max_cells:
        area = f"{thousands(rows)} righe × {thousands(columns)} colonne"
        return f"{what}: area di {area} (limite {thousands(limits.max_cells)} celle)"
    return None


_TABLE_NS = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_OFFICE_NS = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"


class _OdsScan:
    """``content.xml`` of an ``.ods``: rows and cells with their repeat counts, table by table.
    Repeated empty rows and cells (LibreOffice pads sheets with them) only move the position;
    the extent is the last row and column holding something."""

    def __init__(self, file_name: str, limits: WorkbookLimits) -> None:
        self._file_name, self._limits = file_name, limits
        self._text = _TextRuns("content.xml", file_name, limits)
        self._parser = expat.ParserCreate(namespace_separator=" ")
        self._parser.StartElementHandler = self._start
        self._parser.EndElementHandler = self._end
        self._parser.CharacterDataHandler = self._characters
        self._parser.StartDoctypeDeclHandler = self._doctype
        self._parser.EntityDeclHandler = self._doctype
        self._table = ""
        self._row = self._column = 0
        self._row_repeat = self._cell_repeat = 1
        self._cell_filled = self._row_filled = False
        self._in_cell = False
        self._used_rows = self._used_columns = self._row_columns = 0
        self._cells = 0

    def run(self, chunks: Iterator[bytes]) -> None:
        try:
            for chunk in chunks:
                self._text.feed(chunk)
                self._parser.Parse(chunk, False)
            self._parser.Parse(b"", True)
        except expat.ExpatError as error:
            raise _refuse(self._file_name, f"content.xml non valido ({error})") from None

    def _doctype(self, *_: object) -> None:
        raise _refuse(self._file_name, "content.xml contiene una dichiarazione DOCTYPE o di entità")

    def _start(self, name: str, attributes: dict[str, str]) -> None:
        local = name.rpartition(" ")[2]
        if name == f"{_TABLE_NS} table":
            self._table = attributes.get(f"{_TABLE_NS} name", "?")
            self._row = self._used_rows = self._used_columns = self._cells = 0
        elif name == f"{_TABLE_NS} table-row":
            self._row_repeat = self._repeat(attributes, "number-rows-repeated")
            self._column = self._row_columns = 0
            self._row_filled = False
        elif local in ("table-cell", "covered-table-cell") and name.startswith(_TABLE_NS):
            self._cell_repeat = self._repeat(attributes, "number-columns-repeated")
            self._cell_filled = any(key.startswith(_OFFICE_NS) for key in attributes)
            self._in_cell = True
        elif self._in_cell:
            self._cell_filled = True

    def _characters(self, data: str) -> None:
        if self._in_cell and data.strip():
            self._cell_filled = True

    def _end(self, name: str) -> None:
        local = name.rpartition(" ")[2]
        if local in ("table-cell", "covered-table-cell") and name.startswith(_TABLE_NS):
            self._in_cell = False
            self._column += self._cell_repeat
            if self._cell_filled:
                self._row_filled = True
                self._row_columns = self._column
                self._cells += self._cell_repeat * self._row_repeat
                if self._cells > self._limits.max_cells:
                    raise self._refused(f"oltre {thousands(self._limits.max_cells)} celle")
        elif name == f"{_TABLE_NS} table-row":
            self._row += self._row_repeat
            if self._row_filled:
                self._used_rows = self._row
                self._used_columns = max(self._used_columns, self._row_columns)
                self._check_extent()

    def _repeat(self, attributes: dict[str, str], name: str) -> int:
        raw = attributes.get(f"{_TABLE_NS} {name}", "1")
        if not raw.isdigit() or len(raw) > 12:
            raise self._refused(f"ripetizione non valida ({raw[:20]!r})")
        return max(int(raw), 1)

    def _check_extent(self) -> None:
        problem = _extent_problem(self._used_rows, self._used_columns, self._limits, "ultima cella")
        if problem is not None:
            raise self._refused(problem)

    def _refused(self, reason: str) -> UnreadableFile:
        return _refuse(self._file_name, f"nel foglio {self._table!r} {reason}")
