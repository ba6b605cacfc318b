"""Safe intake of agency exports (CSV or XLSX) before any row is read as an assessment.

Uploaded files come from other agencies' systems and cannot be trusted: a renamed image, a workbook
with macros or external links, a zip bomb, or a sheet far larger than a person could check. The type
and ZIP checks run before anything is parsed (sizes come from the central directory, which zipfile
also uses to cap decompression); the row, column and cell limits run on the parsed text. Messages
say what to fix without repeating what is in the cells. read_table returns text only, indexed by
the row number a person sees in Excel.
"""

import csv
import io
import os
import re
import secrets
import time
import zipfile
from datetime import timedelta
from pathlib import Path

import pandas
from openpyxl.utils import get_column_letter

MAX_ZIP_ENTRIES = 200
MAX_UNCOMPRESSED_BYTES = 50 * 1024 * 1024
MAX_COMPRESSION_RATIO = 100
MAX_ROWS = 20_000
MAX_COLUMNS = 100
MAX_CELL_CHARACTERS = 32_767

ACCEPTED = "Upload a .csv file (saved as “CSV UTF-8”) or an .xlsx workbook (“Excel Workbook”)"
SAVE_AS_CSV_UTF8 = "In Excel choose Save As, “CSV UTF-8 (Comma delimited) (*.csv)”, and upload that file"
SAVE_AS_XLSX = "Open it in Excel, save it as “Excel Workbook (*.xlsx)” or “CSV UTF-8”, and upload that file"
EMPTY_FILE = "The file is empty: export it again with the column headings in row 1 and one row per assessment."
TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{43}")
UTF16_AND_UTF32_BOMS = (b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")
UTF8_BOM = "\ufeff"
KNOWN_BINARY_FORMATS = {
    b"\x89PNG": "an image (PNG)",
    b"\xff\xd8\xff": "an image (JPEG)",
    b"GIF8": "an image (GIF)",
    b"%PDF": "a PDF document",
    b"\xd0\xcf\x11\xe0": "an Excel 97–2003 workbook (.xls) or another old Office file",
    b"PK\x03\x04": "a workbook or ZIP archive",
}


class ImportFileError(ValueError):
    """A file that cannot be imported; the message says what is wrong and what to do, never cell data."""


def read_table(data: bytes, filename: str, *, max_rows: int = MAX_ROWS) -> pandas.DataFrame:
    """Every cell as a string, headings as column names, and the spreadsheet row number as the index
    (headings are row 1, so the first data row is 2). Fully blank rows are dropped; the numbers of
    the others do not change. frame.attrs["column_letters"] maps each heading to its column letter."""
    kind = file_kind(filename)
    if not data:
        raise ImportFileError(EMPTY_FILE)
    cells = read_csv_cells(check_csv(data)) if kind == "csv" else read_xlsx_cells(data)
    return table_from_cells(cells, max_rows)


def file_kind(filename: str) -> str:
    suffix = Path(filename or "").suffix.lower()
    if suffix in (".csv", ".xlsx"):
        return suffix[1:]
    if suffix == ".xlsm":
        raise ImportFileError(f"Macro-enabled workbooks (.xlsm) cannot be imported. {ACCEPTED}.")
    if suffix == ".xls":
        raise ImportFileError(f"Old Excel 97–2003 workbooks (.xls) cannot be imported. {ACCEPTED}.")
    raise ImportFileError(f"Only .csv and .xlsx files can be imported. {ACCEPTED}.")


def check_csv(data: bytes) -> str:
    """The text of a CSV upload: UTF-8, with or without a byte-order mark, and no NUL bytes."""
    if not data:
        raise ImportFileError(EMPTY_FILE)
    if binary_format(data):
        raise ImportFileError(f"The file is {binary_format(data)}, not a CSV file. {SAVE_AS_CSV_UTF8}.")
    if data.startswith(UTF16_AND_UTF32_BOMS) or looks_like_utf16(data):
        raise ImportFileError(f"The file is saved as UTF-16 text, which cannot be imported. {SAVE_AS_CSV_UTF8}.")
    if b"\x00" in data:
        raise ImportFileError(f"The file contains NUL bytes, so it is not a plain CSV text file. {SAVE_AS_CSV_UTF8}.")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ImportFileError(f"The file is not a CSV file saved as UTF-8 text. {SAVE_AS_CSV_UTF8}.") from None
    return text.removeprefix(UTF8_BOM)


def binary_format(data: bytes) -> str | None:
    return next((name for magic, name in KNOWN_BINARY_FORMATS.items() if data.startswith(magic)), None)


def looks_like_utf16(data: bytes) -> bool:
    """UTF-16 without a byte-order mark: ASCII text with a NUL after (or before) every character."""
    sample = data[:4096]
    return len(sample) >= 4 and (sample[1::2].count(0) > len(sample) // 4 or sample[0::2].count(0) > len(sample) // 4)


def check_xlsx(data: bytes) -> None:
    """Refuse anything but a plain workbook, judging sizes from the ZIP directory before inflating."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except Exception:
        raise ImportFileError(not_a_workbook(data)) from None
    with archive:
        check_zip_directory(entries)
        names = {entry.filename for entry in entries}
        lower_names = {name.lower() for name in names}
        if not {"[Content_Types].xml", "xl/workbook.xml"} <= names:
            raise ImportFileError(not_a_workbook(data))
        content_types = read_small_entry(archive, "[Content_Types].xml").lower()
        if any(name.endswith("vbaproject.bin") for name in lower_names) or b"macroenabled" in content_types:
            raise ImportFileError(
                "The workbook contains macros, which cannot be imported. Save it as “Excel Workbook (*.xlsx)” "
                "(not macro-enabled) or as “CSV UTF-8”, and upload that file."
            )
        if any(name.startswith("xl/externallinks/") for name in lower_names) or b"externallink" in content_types:
            raise ImportFileError(
                "The workbook links to other files, which cannot be imported. In Excel use Data, Edit Links, "
                "Break Link, save the workbook and upload it again (or save it as “CSV UTF-8”)."
            )


def not_a_workbook(data: bytes) -> str:
    found = binary_format(data)
    if found and not found.startswith("a workbook"):
        return f"The file is {found}, not an Excel workbook (.xlsx). {SAVE_AS_XLSX}."
    return f"The file is not a real Excel workbook (.xlsx). {SAVE_AS_XLSX}."


def check_zip_directory(entries: list[zipfile.ZipInfo]) -> None:
    if len(entries) > MAX_ZIP_ENTRIES:
        raise ImportFileError(
            f"The workbook has {len(entries):,} internal parts; at most {MAX_ZIP_ENTRIES} can be imported. "
            "Copy the sheet with the assessments into a new workbook, or save it as “CSV UTF-8”, and upload that."
        )
    if any(entry.flag_bits & 0x1 for entry in entries):
        raise ImportFileError("The workbook is password-protected. Remove the password, save it and upload it again.")
    if sum(entry.file_size for entry in entries) > MAX_UNCOMPRESSED_BYTES:
        raise ImportFileError(
            f"The workbook is too large once opened (more than {MAX_UNCOMPRESSED_BYTES // (1024 * 1024)} MB). "
            "Split it into smaller files, or save it as “CSV UTF-8”, and upload each one."
        )
    if any(entry.file_size > MAX_COMPRESSION_RATIO * max(entry.compress_size, 1) for entry in entries):
        raise ImportFileError(
            "The workbook is compressed far more than a real spreadsheet can be, so it is refused as unsafe. "
            f"{SAVE_AS_XLSX}."
        )


def read_small_entry(archive: zipfile.ZipFile, name: str) -> bytes:
    try:
        return archive.read(name)
    except Exception:
        raise ImportFileError(not_a_workbook(b"")) from None


def read_xlsx_cells(data: bytes) -> pandas.DataFrame:
    check_xlsx(data)
    try:
        return pandas.read_excel(
            io.BytesIO(data),
            sheet_name=0,
            engine="openpyxl",
            header=None,
            dtype=str,
            keep_default_na=False,
            na_filter=False,
        )
    except Exception:
        raise ImportFileError(f"The workbook could not be read. {SAVE_AS_XLSX}.") from None


def read_csv_cells(text: str) -> pandas.DataFrame:
    try:
        return pandas.read_csv(
            io.StringIO(text),
            header=None,
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            skip_blank_lines=False,
            engine="c",
        )
    except pandas.errors.EmptyDataError:
        raise ImportFileError(EMPTY_FILE) from None
    except pandas.errors.ParserError:
        return read_ragged_csv_cells(text)


def read_ragged_csv_cells(text: str) -> pandas.DataFrame:
    """The slow path, for rows with more cells than row 1 (the fast parser refuses those)."""
    rows = []
    usual_limit = csv.field_size_limit(len(text) + 1)
    try:
        for row in csv.reader(io.StringIO(text, newline="")):
            rows.append(row)
    except csv.Error:
        raise ImportFileError(
            f"Row {len(rows) + 1} could not be read as CSV. Check the quote marks in that row and upload the file "
            "again."
        ) from None
    finally:
        csv.field_size_limit(usual_limit)
    width = max((len(row) for row in rows), default=0)
    return pandas.DataFrame([row + [""] * (width - len(row)) for row in rows], dtype=object)


def table_from_cells(cells: pandas.DataFrame, max_rows: int) -> pandas.DataFrame:
    cells = cells.fillna("").astype(str)
    cells.index = pandas.RangeIndex(1, len(cells) + 1)
    cells.columns = range(1, cells.shape[1] + 1)
    used_columns = [number for number in cells.columns if has_text(cells[number])]
    if not used_columns:
        raise ImportFileError(EMPTY_FILE)
    cells = cells.loc[:, : used_columns[-1]]
    check_column_count(cells)
    if not has_text(cells.loc[1]):
        raise ImportFileError(
            "Row 1 is blank. Put the column headings (such as Forename, Date of birth, Q1, Q2) in row 1 "
            "and upload the file again."
        )
    rows = cells.loc[~blank_rows(cells)].iloc[1:]
    if rows.empty:
        raise ImportFileError("The file has column headings but no rows below them. Add the assessments, one per row.")
    if len(rows) > max_rows:
        raise ImportFileError(
            f"The file has {len(rows):,} rows; import at most {max_rows:,} at a time: split the file into "
            "smaller files and import each one."
        )
    check_cell_lengths(cells)
    headings = column_headings(cells.loc[1])
    rows.columns = headings
    rows.attrs["column_letters"] = {heading: get_column_letter(number) for number, heading in enumerate(headings, 1)}
    return rows


def has_text(cells: pandas.Series) -> bool:
    return any(not value.isspace() for value in cells.to_numpy() if value)


def blank_rows(cells: pandas.DataFrame) -> pandas.Series:
    """Rows with nothing but spaces in every cell; one column usually settles almost every row."""
    blank = pandas.Series(True, index=cells.index)
    for number in cells.columns:
        undecided = blank.index[blank.to_numpy()]
        if undecided.empty:
            break
        blank.loc[undecided] = cells.loc[undecided, number].str.strip().eq("").to_numpy()
    return blank


def check_column_count(cells: pandas.DataFrame) -> None:
    if cells.shape[1] <= MAX_COLUMNS:
        return
    beyond_limit = cells.iloc[:, MAX_COLUMNS:]
    row = int((~blank_rows(beyond_limit)).idxmax())
    raise ImportFileError(
        f"Row {row} has cells beyond column {get_column_letter(MAX_COLUMNS)} (the file uses {cells.shape[1]} columns, "
        f"up to column {get_column_letter(cells.shape[1])}); a file can have at most {MAX_COLUMNS} columns. "
        "Delete the columns you do not need and upload the file again."
    )


def check_cell_lengths(cells: pandas.DataFrame) -> None:
    first_too_long = None
    for number in cells.columns:
        lengths = cells[number].str.len()
        too_long = lengths.gt(MAX_CELL_CHARACTERS)
        if too_long.any():
            row = int(too_long.idxmax())
            if first_too_long is None or row < first_too_long[0]:
                first_too_long = (row, number, int(lengths.loc[row]))
    if first_too_long:
        row, number, length = first_too_long
        raise ImportFileError(
            f"Row {row}, column {get_column_letter(number)}: the cell has {length:,} characters; a cell can hold at "
            f"most {MAX_CELL_CHARACTERS:,}. Shorten it and upload the file again."
        )


def column_headings(heading_row: pandas.Series) -> list[str]:
    headings = [" ".join(text.split()) or f"Column {number}" for number, text in heading_row.items()]
    first_seen = {}
    for number, heading in enumerate(headings, 1):
        key = heading.casefold()
        if key in first_seen:
            raise ImportFileError(
                f"Columns {get_column_letter(first_seen[key])} and {get_column_letter(number)} both have the heading "
                f"“{shortened(heading)}”. Rename or delete one of them and upload the file again."
            )
        first_seen[key] = number
    return headings


def shortened(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def stage_upload(data: bytes, folder: Path) -> str:
    """Keep an upload for the confirm step under a random name; the uploader's filename is never used."""
    folder = Path(folder)
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(folder, 0o700)
    token = secrets.token_urlsafe(32)
    descriptor = os.open(folder / token, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
    with os.fdopen(descriptor, "wb") as staged:
        os.fchmod(staged.fileno(), 0o600)
        staged.write(data)
    return token


def staged_path(folder: Path, token: str) -> Path:
    if not isinstance(token, str) or not TOKEN_SHAPE.fullmatch(token):
        raise ImportFileError("That upload cannot be found. Upload the file again.")
    return Path(folder) / token


def remove_staged(folder: Path, token: str) -> None:
    staged_path(folder, token).unlink(missing_ok=True)


def remove_stale(folder: Path, older_than: timedelta = timedelta(hours=24)) -> int:
    """Delete staged uploads left behind by imports that were never confirmed; returns how many."""
    folder = Path(folder)
    if not folder.is_dir():
        return 0
    cutoff = time.time() - older_than.total_seconds()
    removed = 0
    for path in folder.iterdir():
        if TOKEN_SHAPE.fullmatch(path.name) and not path.is_symlink() and path.is_file():
            if path.stat().st_mtime < cutoff:
                path.unlink(missing_ok=True)
                removed += 1
    return removed
