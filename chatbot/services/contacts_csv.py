"""The contacts CSV file, read and written: columns `phone,name,categories`, categories joined with `;`.

Reading streams: `io.TextIOWrapper` over the binary body, `csv.reader` over bounded lines, one record at a time,
so memory holds a line, never the file. The first line is the header; its separator (`,` or `;`, what Excel
writes in locales with a decimal comma) is the more frequent of the two in it, and the rows use the same.

Spreadsheets run a cell that starts with `=`, `+`, `-`, `@`, a tab or a CR as a formula (OWASP "CSV injection").
The export puts a `'` before such a name or categories cell (and before one that starts with `'` followed by
such a character, so that the mapping can be undone exactly); the import removes that one `'`. Phones are left
as they are: they are E.164 (`+` then digits only, checked), which a spreadsheet can at worst read as a number,
never as a function or a reference, and other tools get the number as stored.
"""
import csv
import io

from chatbot.errors import BadRequest

COLUMNS = ("phone", "name", "categories")
REQUIRED = ("phone", "name")
CATEGORY_SEPARATOR = ";"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
NEUTRALISER = "'"
# A longer line is not a contact (a name is at most 200 characters): the file is refused rather than held in
# memory, as csv's own field limit (131,072) refuses a longer field, e.g. behind an unclosed quote.
MAX_LINE_CHARS = 256 * 1024
MAX_HEADER_CHARS = 4096


class NotACsv(BadRequest):
    """400: the body is not a contacts CSV (or stops being one at `line`)."""


def neutralised(cell):
    """The cell as the export writes it: a `'` before what a spreadsheet would run as a formula."""
    if cell.startswith(FORMULA_STARTS) or (cell.startswith(NEUTRALISER)
                                           and cell.lstrip(NEUTRALISER).startswith(FORMULA_STARTS)):
        return NEUTRALISER + cell
    return cell


def restored(cell):
    """The cell as it was before `neutralised` (the import's side): `restored(neutralised(x)) == x`."""
    if cell.startswith(NEUTRALISER) and cell.lstrip(NEUTRALISER).startswith(FORMULA_STARTS):
        return cell[1:]
    return cell


def text_of(binary):
    """The body as text: UTF-8 with or without a BOM. Bytes that are not UTF-8 become lone surrogates
    (surrogateescape) instead of an exception raised 8 KiB ahead of the reader: the record holding them is found
    (`check_utf8`), with its line number."""
    if not hasattr(binary, "readable"):
        binary = io.BufferedReader(binary)
    return io.TextIOWrapper(binary, encoding="utf-8-sig", errors="surrogateescape", newline="")


def check_utf8(line, cells):
    """NotACsv when a cell holds bytes that were not UTF-8."""
    try:
        "".join(cells).encode("utf-8")
    except UnicodeEncodeError:
        raise NotACsv(f"line {line} is not UTF-8: save the file as CSV UTF-8", {"line": line}) from None


def bounded_lines(text, first_line):
    """The text's lines, NotACsv for one over MAX_LINE_CHARS (never a whole file held as one line)."""
    line = first_line
    while chunk := text.readline(MAX_LINE_CHARS):
        if len(chunk) == MAX_LINE_CHARS and not chunk.endswith(("\n", "\r")):
            raise NotACsv(f"line {line} is longer than {MAX_LINE_CHARS} characters: not a contacts CSV",
                          {"line": line})
        yield chunk
        line += 1


def read_header(text):
    """(separator, {column: position}) from the first line; NotACsv when it is not our header."""
    first = text.readline(MAX_HEADER_CHARS)
    if not first.strip():
        raise NotACsv("the file is empty: expected a header line phone,name,categories")
    if len(first) == MAX_HEADER_CHARS and not first.endswith(("\n", "\r")):
        raise NotACsv("the first line is not a header phone,name,categories")
    separator = ";" if first.count(";") > first.count(",") else ","
    try:
        names = [name.strip().lower() for name in next(csv.reader([first], delimiter=separator))]
    except csv.Error:
        raise NotACsv("the first line is not a header phone,name,categories") from None
    check_utf8(1, names)
    unknown = [name for name in names if name not in COLUMNS]
    missing = [name for name in REQUIRED if name not in names]
    if unknown or missing or len(set(names)) != len(names):
        raise NotACsv("the header must name the columns phone, name and optionally categories, once each",
                      {"header": names[:10], "unknown": unknown[:10], "missing": missing})
    return separator, {name: position for position, name in enumerate(names)}


def records(binary):
    """(line, {column: cell}, None) for each non-blank record after the header; (line, {"phone"}, error) for one
    with the wrong number of cells.

    `line` is the record's number, the header being 1: the row a spreadsheet shows (it differs from the
    file's line only after a quoted cell holding a line break).
    """
    text = text_of(binary)
    separator, positions = read_header(text)
    reader = csv.reader(bounded_lines(text, 2), delimiter=separator, strict=True)
    line = 1
    while True:
        line += 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise NotACsv(f"line {line} is not valid CSV ({exc})", {"line": line}) from None
        if not any(cell.strip() for cell in cells):
            continue  # a blank line, or separators only
        check_utf8(line, cells)
        if len(cells) != len(positions):
            phone = cells[positions["phone"]] if len(cells) > positions["phone"] else ""
            yield line, {"phone": phone}, f"expected {len(positions)} cells, found {len(cells)}"
            continue
        yield line, {name: cells[position] for name, position in positions.items()}, None


def csv_line(cells):
    """One CSV record (RFC 4180: CRLF, quotes where needed)."""
    buffer = io.StringIO()
    csv.writer(buffer).writerow(cells)
    return buffer.getvalue()
