"""Tables as CSV and XLSX files that are safe to open in a spreadsheet (SECURITY V4).

Any text cell that a spreadsheet could read as a formula gets a leading apostrophe, so
`=HYPERLINK(...)` typed into a record arrives as text. Numbers stay numbers; dates are UK style.
"""

import csv
import io
from datetime import date, datetime

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils import get_column_letter

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\0")
UK_DATE = "%d/%m/%Y"
XLSX_DATE_FORMAT = "DD/MM/YYYY"
XLSX_SHEET_NAME_MAX = 31


def neutralise(text: str) -> str:
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def plain_value(value):
    """A cell's value as Python: None for missing, int/float for numbers, dates as dates, else text."""
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, (int, float, date)):
        return value
    return neutralise(str(value))


def headings(frame: pd.DataFrame, labels: dict[str, str] | None) -> list[str]:
    return [neutralise(str((labels or {}).get(column, column))) for column in frame.columns]


def rows(frame: pd.DataFrame):
    for row in frame.itertuples(index=False, name=None):
        yield [plain_value(value) for value in row]


def csv_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, (date, datetime)):
        return value.strftime(UK_DATE)
    return str(value)


def to_csv(frame: pd.DataFrame, labels: dict[str, str] | None = None) -> bytes:
    """UTF-8 with a byte order mark, so Excel reads the encoding; RFC 4180 quoting and CRLF lines."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow(headings(frame, labels))
    for row in rows(frame):
        writer.writerow([csv_text(value) for value in row])
    return buffer.getvalue().encode("utf-8-sig")


def xlsx_cell(value):
    """XLSX cannot hold control characters other than tab, newline and carriage return; removing
    them could uncover a formula, so the text is checked again."""
    return neutralise(ILLEGAL_CHARACTERS_RE.sub("", value)) if isinstance(value, str) else value


def to_xlsx(frame: pd.DataFrame, sheet_name: str, labels: dict[str, str] | None = None) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = sheet_name[:XLSX_SHEET_NAME_MAX]
    sheet.append([xlsx_cell(heading) for heading in headings(frame, labels)])
    for values in rows(frame):
        sheet.append([xlsx_cell(value) for value in values])
    for row in sheet.iter_rows():
        for cell in row:
            if isinstance(cell.value, str):
                cell.data_type = "s"
            elif isinstance(cell.value, (date, datetime)):
                cell.number_format = XLSX_DATE_FORMAT
    for index in range(1, frame.shape[1] + 1):
        sheet.column_dimensions[get_column_letter(index)].width = 18
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
