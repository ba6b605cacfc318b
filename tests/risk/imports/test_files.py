import io
import json
import os
import stat
import subprocess
import sys
import time
import zipfile
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from risk.answers import Answer, read_yes_no
from risk.imports.files import (
    MAX_COLUMNS,
    MAX_ROWS,
    ImportFileError,
    check_csv,
    check_xlsx,
    read_table,
    remove_staged,
    remove_stale,
    stage_upload,
    staged_path,
)
from tests.risk.import_fixtures import (
    ONE_GIB,
    csv_bytes,
    dash_export_csv,
    dash_export_xlsx,
    declare_entry_size,
    deflated_zip_bomb,
    external_link_workbook,
    macro_content_type_workbook,
    macro_workbook,
    many_parts_workbook,
    nul_csv,
    png_bytes,
    small_workbook,
    stored_zip_bomb,
    utf16_csv,
    utf16_csv_without_bom,
    windows_1252_csv,
    with_extra_zip_entries,
    xlsx_bytes,
)

ROOT = Path(__file__).parents[3]
CANARY = "Canary-Zebedee-Quux"


def refusal(data: bytes, filename: str, **options) -> str:
    with pytest.raises(ImportFileError) as refused:
        read_table(data, filename, **options)
    return str(refused.value)


def wide_row(count: int, prefix: str) -> list[str]:
    return [f"{prefix}{number}" for number in range(1, count + 1)]


# File types, by name and by content


@pytest.mark.parametrize("filename", ["export.csv", "EXPORT.CSV", "export.xlsx", "Export.XLSX"])
def test_csv_and_xlsx_are_accepted_whatever_the_case_of_the_name(filename):
    data = small_workbook() if filename.lower().endswith(".xlsx") else csv_bytes([["Forename", "Q1"], ["Amy", "Y"]])

    table = read_table(data, filename)

    assert table.to_dict("index") == {2: {"Forename": "Amy", "Q1": "Y"}}


@pytest.mark.parametrize(
    ("filename", "expected"),
    [
        ("export.xlsm", "Macro-enabled workbooks (.xlsm) cannot be imported"),
        ("export.xls", "Old Excel 97–2003 workbooks (.xls) cannot be imported"),
        ("export.txt", "Only .csv and .xlsx files can be imported"),
        ("../../app.py", "Only .csv and .xlsx files can be imported"),
        ("export", "Only .csv and .xlsx files can be imported"),
        ("export.csv.exe", "Only .csv and .xlsx files can be imported"),
    ],
)
def test_other_file_names_are_refused_with_what_is_accepted(filename, expected):
    message = refusal(csv_bytes([["Forename"], ["Amy"]]), filename)

    assert message.startswith(expected)
    assert "Upload a .csv file (saved as “CSV UTF-8”) or an .xlsx workbook" in message


@pytest.mark.parametrize("filename", ["actually_a_png.csv", "actually_a_png.xlsx"])
def test_a_png_renamed_as_a_spreadsheet_is_refused(filename):
    message = refusal(png_bytes(), filename)

    assert message.startswith("The file is an image (PNG), not ")


def test_a_workbook_renamed_csv_is_refused_as_not_csv():
    assert refusal(small_workbook(), "export.csv").startswith("The file is a workbook or ZIP archive, not a CSV file.")


def test_a_csv_renamed_xlsx_is_refused_as_not_a_workbook():
    message = refusal(csv_bytes([["Forename"], ["Amy"]]), "export.xlsx")

    assert message.startswith("The file is not a real Excel workbook (.xlsx).")


# CSV text


def test_a_byte_order_mark_is_removed_from_the_first_heading():
    data = csv_bytes([["Forename", "Q1"], ["Zoë", "Yes"]], bom=True)

    table = read_table(data, "export.csv")

    assert list(table.columns) == ["Forename", "Q1"]
    assert table.loc[2, "Forename"] == "Zoë"
    assert check_csv(data) == "Forename,Q1\r\nZoë,Yes\r\n"


@pytest.mark.parametrize("data", [utf16_csv(), utf16_csv_without_bom()], ids=["with-bom", "without-bom"])
def test_utf16_text_is_refused_with_how_to_save_as_utf8(data):
    message = refusal(data, "export.csv")

    assert message == (
        "The file is saved as UTF-16 text, which cannot be imported. In Excel choose Save As, "
        "“CSV UTF-8 (Comma delimited) (*.csv)”, and upload that file."
    )


def test_nul_bytes_are_refused():
    message = refusal(nul_csv(), "export.csv")

    assert message.startswith("The file contains NUL bytes, so it is not a plain CSV text file.")


def test_text_in_another_encoding_is_refused():
    assert refusal(windows_1252_csv(), "export.csv").startswith("The file is not a CSV file saved as UTF-8 text.")


def test_cells_are_text_exactly_as_written():
    data = csv_bytes(
        [
            ["Reference", "Q1", "Q2", "Q3", "Notes"],
            ["007", "NA", "null", "=1+1", ' keeps "quotes", commas\nand lines '],
        ]
    )

    table = read_table(data, "export.csv")

    assert table.loc[2].to_dict() == {
        "Reference": "007",
        "Q1": "NA",
        "Q2": "null",
        "Q3": "=1+1",
        "Notes": ' keeps "quotes", commas\nand lines ',
    }
    assert all(isinstance(value, str) for value in table.loc[2])


def test_a_quoted_cell_over_several_lines_is_one_row():
    data = b'Forename,Notes\r\nAmy,"line one\r\nline two"\r\nBeth,short\r\n'

    table = read_table(data, "export.csv")

    assert table["Forename"].to_dict() == {2: "Amy", 3: "Beth"}


def test_short_rows_are_padded_with_blank_cells():
    table = read_table(b"Forename,Surname,Q1\r\nAmy\r\nBeth,Brown,Y\r\n", "export.csv")

    assert table.to_dict("index") == {
        2: {"Forename": "Amy", "Surname": "", "Q1": ""},
        3: {"Forename": "Beth", "Surname": "Brown", "Q1": "Y"},
    }


def test_a_row_longer_than_the_headings_gets_numbered_columns():
    table = read_table(b"Forename,Q1\r\nAmy,Y\r\nBeth,N,extra\r\n", "export.csv")

    assert list(table.columns) == ["Forename", "Q1", "Column 3"]
    assert table.loc[3, "Column 3"] == "extra"
    assert table.loc[2, "Column 3"] == ""


# Headings and row numbers


def test_blank_rows_are_dropped_and_the_others_keep_their_spreadsheet_row_numbers():
    data = b"Forename,Q1\r\nAmy,Y\r\n\r\n,\r\n  , \t\r\nBeth,N\r\n"

    table = read_table(data, "export.csv")

    assert table["Forename"].to_dict() == {2: "Amy", 6: "Beth"}


def test_blank_rows_in_a_workbook_keep_the_numbering_too():
    data = xlsx_bytes([["Forename", "Q1"], ["Amy", "Y"], [], [None, None], ["Beth", "N"]])

    table = read_table(data, "export.xlsx")

    assert table["Forename"].to_dict() == {2: "Amy", 5: "Beth"}


def test_blank_headings_become_numbered_columns_and_headings_are_tidied():
    data = csv_bytes([["  Forename ", "", "Date of\nbirth", " "], ["Amy", "x", "01/02/1990", "y"]])

    table = read_table(data, "export.csv")

    assert list(table.columns) == ["Forename", "Column 2", "Date of birth", "Column 4"]
    assert table.attrs["column_letters"] == {"Forename": "A", "Column 2": "B", "Date of birth": "C", "Column 4": "D"}


def test_trailing_empty_columns_are_ignored():
    table = read_table(b"Forename,Q1,,\r\nAmy,Y,,\r\n", "export.csv")

    assert list(table.columns) == ["Forename", "Q1"]


@pytest.mark.parametrize("second", ["Q1", "q1", " Q1 "])
def test_duplicate_headings_are_refused_naming_both_columns(second):
    message = refusal(csv_bytes([["Q1", "Forename", second], ["Y", "Amy", "N"]]), "export.csv")

    assert message == (
        f"Columns A and C both have the heading “{second.strip()}”. Rename or delete one of them and upload "
        "the file again."
    )


def test_a_blank_first_row_is_refused():
    message = refusal(b",\r\nForename,Q1\r\nAmy,Y\r\n", "export.csv")

    assert message.startswith("Row 1 is blank. Put the column headings")


@pytest.mark.parametrize(
    ("data", "filename"),
    [
        (b"", "export.csv"),
        (b"\r\n\r\n", "export.csv"),
        (b" , \r\n", "export.csv"),
        (b"", "export.xlsx"),
        (xlsx_bytes([]), "export.xlsx"),
    ],
    ids=["no-bytes", "blank-lines", "blank-cells", "no-bytes-xlsx", "empty-workbook"],
)
def test_an_empty_file_is_refused(data, filename):
    assert refusal(data, filename).startswith("The file is empty")


@pytest.mark.parametrize("data", [b"Forename,Q1\r\n", b"Forename,Q1\r\n,\r\n\r\n"])
def test_headings_without_rows_are_refused(data):
    assert refusal(data, "export.csv") == (
        "The file has column headings but no rows below them. Add the assessments, one per row."
    )


# Limits after parsing


def test_twenty_thousand_rows_are_read():
    assert len(read_table(dash_export_csv(MAX_ROWS, seed=7), "export.csv")) == MAX_ROWS


def test_twenty_thousand_and_one_rows_are_refused_with_the_limit_and_the_count():
    message = refusal(dash_export_csv(MAX_ROWS + 1, seed=7), "export.csv")

    assert message == (
        "The file has 20,001 rows; import at most 20,000 at a time: split the file into smaller files "
        "and import each one."
    )


def test_blank_rows_do_not_count_towards_the_row_limit():
    data = b"Forename\r\n" + b"Amy\r\n\r\n" * 3

    assert len(read_table(data, "export.csv", max_rows=3)) == 3
    assert refusal(data + b"Beth\r\n", "export.csv", max_rows=3).startswith("The file has 4 rows; import at most 3")


def test_one_hundred_columns_are_read():
    data = csv_bytes([wide_row(MAX_COLUMNS, "H"), wide_row(MAX_COLUMNS, "v")])

    assert read_table(data, "export.csv").shape == (1, 100)


def test_one_hundred_and_one_columns_are_refused_naming_the_row_and_column():
    data = csv_bytes([wide_row(MAX_COLUMNS + 1, "H"), wide_row(MAX_COLUMNS + 1, "v")])

    message = refusal(data, "export.csv")

    assert message == (
        "Row 1 has cells beyond column CV (the file uses 101 columns, up to column CW); a file can have at most "
        "100 columns. Delete the columns you do not need and upload the file again."
    )


def test_a_data_row_that_runs_past_column_one_hundred_is_named():
    rows = [["Forename", "Q1"], ["Amy", "Y"], wide_row(MAX_COLUMNS + 3, "v")]

    message = refusal(csv_bytes(rows), "export.csv")

    assert message.startswith("Row 3 has cells beyond column CV (the file uses 103 columns, up to column CY)")


def test_a_workbook_with_one_hundred_and_one_columns_is_refused():
    data = xlsx_bytes([wide_row(MAX_COLUMNS + 1, "H"), wide_row(MAX_COLUMNS + 1, "v")])

    assert refusal(data, "export.xlsx").startswith("Row 1 has cells beyond column CV")


def test_a_cell_of_32767_characters_is_read():
    table = read_table(csv_bytes([["Forename", "Notes"], ["Amy", "x" * 32_767]]), "export.csv")

    assert len(table.loc[2, "Notes"]) == 32_767


def test_a_cell_over_32767_characters_is_refused_naming_the_row_and_column_but_not_its_text():
    rows = [["Forename", "Notes"], ["Amy", "short"], ["Beth", CANARY + "x" * (32_768 - len(CANARY))]]

    message = refusal(csv_bytes(rows), "export.csv")

    assert message == (
        "Row 3, column B: the cell has 32,768 characters; a cell can hold at most 32,767. "
        "Shorten it and upload the file again."
    )


def test_an_overlong_cell_on_a_ragged_row_is_refused_without_its_text():
    rows = [["Forename"], ["Amy", CANARY * 10_000]]

    message = refusal(csv_bytes(rows), "export.csv")

    assert message.startswith("Row 2, column B: the cell has 190,000 characters")
    assert CANARY not in message


# Workbooks


def test_excel_dates_numbers_and_formulas_come_out_as_text_without_evaluation():
    data = xlsx_bytes(
        [
            ["Forename", "Date of birth", "Date of assessment", "Q1", "Q2", "Score"],
            ["Amy", datetime(1990, 2, 1), date(2026, 1, 5), 1, "Yes", "=1+1"],
        ]
    )

    table = read_table(data, "export.xlsx")

    assert table.loc[2].to_dict() == {
        "Forename": "Amy",
        "Date of birth": "1990-02-01 00:00:00",
        "Date of assessment": "2026-01-05 00:00:00",
        "Q1": "1",
        "Q2": "Yes",
        "Score": "",
    }


def test_a_generated_dash_workbook_reads_like_the_csv_export():
    from_xlsx = read_table(dash_export_xlsx(3, seed=5), "export.xlsx")
    from_csv = read_table(dash_export_csv(3, seed=5), "export.csv")

    assert list(from_xlsx.columns) == list(from_csv.columns)
    assert from_xlsx.loc[2, "Surname"] == from_csv.loc[2, "Surname"]
    born = datetime.strptime(from_csv.loc[2, "Date of birth"], "%d/%m/%Y")
    assert from_xlsx.loc[2, "Date of birth"] == f"{born:%Y-%m-%d} 00:00:00"


def test_a_real_workbook_passes_the_checks():
    assert check_xlsx(dash_export_xlsx(200, seed=2)) is None


@pytest.mark.parametrize("make", [macro_workbook, macro_content_type_workbook], ids=["vba-project", "content-type"])
def test_a_workbook_with_macros_is_refused(make):
    message = refusal(make(), "export.xlsx")

    assert message.startswith("The workbook contains macros, which cannot be imported.")


def test_a_workbook_with_external_links_is_refused():
    message = refusal(external_link_workbook(), "export.xlsx")

    assert message.startswith("The workbook links to other files, which cannot be imported.")


def test_two_hundred_parts_are_allowed_but_not_more():
    assert check_xlsx(many_parts_workbook(200)) is None

    message = refusal(many_parts_workbook(201), "export.xlsx")

    assert message.startswith("The workbook has 201 internal parts; at most 200 can be imported.")


def test_a_zip_without_a_workbook_part_is_refused():
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as out:
        out.writestr("[Content_Types].xml", "<Types/>")
        out.writestr("word/document.xml", "<document/>")

    assert refusal(archive.getvalue(), "export.xlsx").startswith("The file is not a real Excel workbook (.xlsx).")


def test_a_damaged_workbook_is_refused_with_a_message():
    damaged = with_extra_zip_entries(small_workbook(), {}, content_types=b"<Types>not closed")

    assert refusal(damaged, "export.xlsx").startswith("The workbook could not be read.")


def test_a_part_compressed_more_than_one_hundred_to_one_is_refused():
    data = with_extra_zip_entries(small_workbook(), {"xl/media/padding.bin": bytes(10 * 1024 * 1024)})
    entry = zipfile.ZipFile(io.BytesIO(data)).getinfo("xl/media/padding.bin")
    assert entry.file_size / entry.compress_size > 100

    message = refusal(data, "export.xlsx")

    assert message.startswith("The workbook is compressed far more than a real spreadsheet can be")


def test_a_workbook_over_fifty_megabytes_once_opened_is_refused_even_at_a_plausible_ratio():
    random_megabyte = os.urandom(1024 * 1024)
    data = declare_entry_size(small_workbook(), "xl/media/big.bin", random_megabyte, 0, 51 * 1024 * 1024)

    message = refusal(data, "export.xlsx")

    assert message.startswith("The workbook is too large once opened (more than 50 MB).")


@pytest.fixture(scope="module")
def zip_bombs():
    return {"stored": stored_zip_bomb(), "deflated": deflated_zip_bomb()}


def test_the_zip_bombs_are_real(zip_bombs):
    stored = zipfile.ZipFile(io.BytesIO(zip_bombs["stored"]))
    sheet = stored.getinfo("xl/worksheets/sheet1.xml")
    assert len(zip_bombs["stored"]) < 10_000
    assert sheet.file_size == ONE_GIB
    with stored.open(sheet) as inflating:
        assert inflating.read(1024 * 1024) == bytes(1024 * 1024)
    deflated = zipfile.ZipFile(io.BytesIO(zip_bombs["deflated"]))
    assert len(zip_bombs["deflated"]) < 2 * 1024 * 1024
    assert deflated.getinfo("xl/worksheets/sheet1.xml").file_size == ONE_GIB
    with deflated.open("xl/worksheets/sheet1.xml") as inflating:
        assert inflating.read(64 * 1024 * 1024) == bytes(64 * 1024 * 1024)


@pytest.mark.parametrize("kind", ["stored", "deflated"])
def test_a_zip_bomb_is_refused_from_its_directory_before_any_part_is_opened(zip_bombs, kind, monkeypatch):
    opened = []
    real_open = zipfile.ZipFile.open

    def open_and_note(archive, name, *args, **kwargs):
        opened.append(getattr(name, "filename", name))
        return real_open(archive, name, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "open", open_and_note)
    message = refusal(zip_bombs[kind], "export.xlsx")

    assert message.startswith("The workbook is too large once opened")
    assert opened == []


MEASURE_IN_A_FRESH_PROCESS = """
import json, os, resource, sys
from risk.imports.files import ImportFileError, read_table
data = open(sys.argv[1], "rb").read()
reading, writing = os.pipe()
if os.fork() == 0:
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    try:
        read_table(data, "export.xlsx")
        outcome = "read"
    except ImportFileError:
        outcome = "refused"
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    os.write(writing, json.dumps({"outcome": outcome, "growth_kib": after - before}).encode())
    os._exit(0)
os.close(writing)
os.wait()
print(os.read(reading, 1000).decode())
"""


@pytest.mark.parametrize("kind", ["stored", "deflated"])
def test_a_zip_bomb_never_inflates_in_memory(zip_bombs, kind, tmp_path):
    """ru_maxrss is a peak that never falls and survives exec (a child of pytest starts with pytest's peak), so
    the read runs in a process forked from a fresh interpreter, whose peak starts at its own size."""
    bomb = tmp_path / "bomb.xlsx"
    bomb.write_bytes(zip_bombs[kind])

    finished = subprocess.run(
        [sys.executable, "-c", MEASURE_IN_A_FRESH_PROCESS, str(bomb)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    measured = json.loads(finished.stdout)

    assert measured["outcome"] == "refused"
    assert measured["growth_kib"] < 50 * 1024, measured


def test_the_measurement_would_see_a_file_being_read(tmp_path):
    """The same probe on a real 16 MB workbook shows growth, so a zero above is not a blind spot."""
    workbook = tmp_path / "real.xlsx"
    workbook.write_bytes(xlsx_bytes([["Notes"]] + [[os.urandom(2000).hex()] for _ in range(4_000)]))

    finished = subprocess.run(
        [sys.executable, "-c", MEASURE_IN_A_FRESH_PROCESS, str(workbook)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    measured = json.loads(finished.stdout)

    assert measured["outcome"] == "read"
    assert measured["growth_kib"] > 20 * 1024, measured


# Staging uploads between the dry run and the confirm step


def test_an_upload_is_staged_under_a_random_token_in_a_private_folder(tmp_path):
    folder = tmp_path / "imports"

    token = stage_upload(b"Forename,Q1\r\nAmy,Y\r\n", folder)

    assert [path.name for path in folder.iterdir()] == [token]
    assert len(token) == 43 and set(token) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE(staged_path(folder, token).stat().st_mode) == 0o600
    assert staged_path(folder, token).read_bytes() == b"Forename,Q1\r\nAmy,Y\r\n"


def test_each_upload_gets_its_own_token(tmp_path):
    tokens = {stage_upload(b"x", tmp_path) for _ in range(20)}

    assert len(tokens) == 20
    assert {path.name for path in tmp_path.iterdir()} == tokens


def test_a_hostile_filename_is_never_used_on_disk(tmp_path):
    folder = tmp_path / "staging" / "imports"
    filename = "../../app.py"

    token = stage_upload(b"Forename\r\nAmy\r\n", folder)

    assert sorted(str(path.relative_to(tmp_path)) for path in tmp_path.rglob("*")) == [
        "staging",
        "staging/imports",
        f"staging/imports/{token}",
    ]
    with pytest.raises(ImportFileError, match="That upload cannot be found. Upload the file again."):
        staged_path(folder, filename)


@pytest.mark.parametrize(
    "token",
    [
        "",
        "../" + "a" * 40,
        "a" * 42,
        "a" * 44,
        "a" * 42 + "/",
        "a" * 42 + ".",
        "/etc/passwd",
        "a" * 21 + "\x00" + "a" * 21,
    ],
)
def test_staged_path_refuses_anything_but_a_token(tmp_path, token):
    with pytest.raises(ImportFileError):
        staged_path(tmp_path, token)


def test_removing_a_staged_upload_leaves_the_folder_empty(tmp_path):
    token = stage_upload(b"Forename\r\nAmy\r\n", tmp_path)

    remove_staged(tmp_path, token)
    remove_staged(tmp_path, token)

    assert list(tmp_path.iterdir()) == []


def test_remove_stale_removes_only_uploads_older_than_the_limit(tmp_path):
    old, fresh, nearly_old = (stage_upload(b"x", tmp_path) for _ in range(3))
    now = time.time()
    os.utime(staged_path(tmp_path, old), (now - 25 * 3600, now - 25 * 3600))
    os.utime(staged_path(tmp_path, nearly_old), (now - 23 * 3600, now - 23 * 3600))
    unrelated = tmp_path / "README"
    unrelated.write_text("not an upload")
    os.utime(unrelated, (now - 48 * 3600, now - 48 * 3600))

    assert remove_stale(tmp_path) == 1

    assert {path.name for path in tmp_path.iterdir()} == {fresh, nearly_old, "README"}
    assert remove_stale(tmp_path, older_than=timedelta(hours=22)) == 1
    assert {path.name for path in tmp_path.iterdir()} == {fresh, "README"}


def test_remove_stale_on_a_missing_folder_removes_nothing(tmp_path):
    assert remove_stale(tmp_path / "never-created") == 0


# The generated DASH export other tests and the benchmark use


@pytest.mark.parametrize(
    ("style", "first", "last"),
    [
        ("Q1", "Q1", "Q24"),
        ("q 1", "q 1", "q 24"),
        ("Question 1", "Question 1", "Question 24"),
        ("DASH_Q01", "DASH_Q01", "DASH_Q24"),
    ],
)
def test_dash_export_headings_follow_the_style(style, first, last):
    table = read_table(dash_export_csv(2, seed=1, header_style=style), "export.csv")

    assert list(table.columns[:6]) == [
        "Forename",
        "Surname",
        "Date of birth",
        "Postcode",
        "Date of assessment",
        "Reference",
    ]
    assert (table.columns[6], table.columns[-1], len(table.columns)) == (first, last, 30)


def test_dash_export_is_repeatable_and_every_cell_is_readable():
    data = dash_export_csv(300, seed=11)
    table = read_table(data, "export.csv")

    assert data == dash_export_csv(300, seed=11)
    assert data != dash_export_csv(300, seed=12)
    assert list(table.index) == list(range(2, 302))
    assert table["Reference"].is_unique
    for _, row in table.iterrows():
        born = datetime.strptime(row["Date of birth"], "%d/%m/%Y").date()
        assessed = datetime.strptime(row["Date of assessment"], "%d/%m/%Y").date()
        assert born < assessed and date(2025, 6, 1) <= assessed < date(2025, 6, 1) + timedelta(days=500)
        assert {read_yes_no(f"q{n}", row[f"Q{n}"]) for n in range(1, 25)} <= {Answer.YES, Answer.NO, Answer.NOT_ASKED}
    answers = set(table[[f"Q{n}" for n in range(1, 25)]].to_numpy().ravel())
    assert answers == {"Y", "N", "Yes", "No", "1", "0", ""}


def test_staged_bytes_read_back_the_same(tmp_path):
    data = dash_export_csv(5, seed=3)
    token = stage_upload(data, tmp_path)

    assert read_table(staged_path(tmp_path, token).read_bytes(), "export.csv").equals(read_table(data, "export.csv"))
