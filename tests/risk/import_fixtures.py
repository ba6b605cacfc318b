"""Messy agency exports, generated in code so no binary file is committed.

dash_export_csv / dash_export_xlsx make plausible DASH RIC exports (identity columns plus Q1..Q24)
for the import tests and the benchmark; the other functions make the files an import must refuse.
"""

import csv
import io
import random
import struct
import zipfile
import zlib
from datetime import date, datetime, timedelta

from openpyxl import Workbook

DASH_ITEM_COUNT = 24
IDENTITY_HEADINGS = ["Forename", "Surname", "Date of birth", "Postcode", "Date of assessment", "Reference"]
ANSWER_SPELLINGS = ("Y", "N", "Yes", "No", "1", "0", "")
HEADER_STYLES = {
    "Q1": "Q{}",
    "q 1": "q {}",
    "Question 1": "Question {}",
    "DASH_Q01": "DASH_Q{:02d}",
}
FORENAMES = (
    "Amy",
    "Beth",
    "Chloe",
    "Dana",
    "Ewa",
    "Fatima",
    "Grace",
    "Hannah",
    "Iqra",
    "Jade",
    "Kelly",
    "Lena",
    "Megan",
    "Nadia",
    "Olivia",
    "Priya",
    "Rosa",
    "Sara",
    "Tia",
    "Zofia",
    "Adam",
    "Ben",
    "Carl",
    "Tom",
)
SURNAMES = (
    "Ahmed",
    "Brown",
    "Clarke",
    "Davies",
    "Evans",
    "Fraser",
    "Green",
    "Hughes",
    "Iqbal",
    "Jones",
    "Khan",
    "Lewis",
    "Morgan",
    "Nowak",
    "O'Brien",
    "Patel",
    "Roberts",
    "Smith",
    "Taylor",
    "Walker",
    "Wright",
)
POSTCODE_AREAS = ("LS", "M", "B", "CF", "NE", "BS", "S", "L", "G", "EH", "SW", "N", "E", "BD", "HU")
INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
ONE_GIB = 1024**3


def dash_headings(header_style: str = "Q1") -> list[str]:
    pattern = HEADER_STYLES[header_style]
    return IDENTITY_HEADINGS + [pattern.format(number) for number in range(1, DASH_ITEM_COUNT + 1)]


def dash_export_rows(rows: int, seed: int) -> list[list]:
    """Rows of [forename, surname, date of birth, postcode, date of assessment, reference, 24 answers];
    dates are date objects so the CSV and XLSX writers can each show them their own way."""
    generator = random.Random(seed)
    earliest_assessment = date(2025, 6, 1)
    exported = []
    for number in range(1, rows + 1):
        assessed_on = earliest_assessment + timedelta(days=generator.randrange(0, 500))
        born_on = date(1950, 1, 1) + timedelta(days=generator.randrange(0, 365 * 56))
        exported.append(
            [
                generator.choice(FORENAMES),
                generator.choice(SURNAMES),
                born_on,
                random_postcode(generator),
                assessed_on,
                f"EXP{seed:03d}-{number:06d}",
                *generator.choices(ANSWER_SPELLINGS, k=DASH_ITEM_COUNT),
            ]
        )
    return exported


def random_postcode(generator: random.Random) -> str:
    outward = f"{generator.choice(POSTCODE_AREAS)}{generator.randrange(1, 20)}"
    inward = f"{generator.randrange(0, 10)}{generator.choice(INWARD_LETTERS)}{generator.choice(INWARD_LETTERS)}"
    return f"{outward} {inward}"


def dash_export_csv(rows: int, seed: int, *, header_style: str = "Q1") -> bytes:
    """A DASH RIC export as an agency system writes it: UTF-8 CSV, dates as dd/mm/yyyy."""
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow(dash_headings(header_style))
    for row in dash_export_rows(rows, seed):
        writer.writerow([cell.strftime("%d/%m/%Y") if isinstance(cell, date) else cell for cell in row])
    return text.getvalue().encode("utf-8")


def dash_export_xlsx(rows: int, seed: int, *, header_style: str = "Q1") -> bytes:
    """The same export saved from Excel: dates are real date cells, answers "1"/"0" are numbers."""
    return xlsx_bytes(
        [dash_headings(header_style)] + [[excel_cell(cell) for cell in row] for row in dash_export_rows(rows, seed)]
    )


def excel_cell(value):
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    if value in ("0", "1"):
        return int(value)
    return value or None


def csv_bytes(rows: list[list], *, bom: bool = False) -> bytes:
    text = io.StringIO()
    csv.writer(text, lineterminator="\r\n").writerows(rows)
    return ("\ufeff" if bom else "").encode("utf-8") + text.getvalue().encode("utf-8")


def xlsx_bytes(rows: list[list]) -> bytes:
    """A real workbook written by openpyxl; None leaves a cell empty, datetimes become date cells."""
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    saved = io.BytesIO()
    workbook.save(saved)
    return saved.getvalue()


def with_extra_zip_entries(workbook: bytes, extra: dict[str, bytes], *, content_types: bytes | None = None) -> bytes:
    """The workbook's parts copied into a new ZIP, plus extra parts (and optionally new content types)."""
    rebuilt = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(workbook)) as original, zipfile.ZipFile(rebuilt, "w", zipfile.ZIP_DEFLATED) as out:
        for entry in original.infolist():
            body = original.read(entry.filename)
            if entry.filename == "[Content_Types].xml" and content_types is not None:
                body = content_types
            out.writestr(entry.filename, body)
        for name, body in extra.items():
            out.writestr(name, body)
    return rebuilt.getvalue()


def small_workbook() -> bytes:
    return xlsx_bytes([["Forename", "Q1"], ["Amy", "Y"]])


def macro_workbook() -> bytes:
    """An .xlsx with a VBA project inside, as a renamed .xlsm would have."""
    return with_extra_zip_entries(small_workbook(), {"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0" + bytes(508)})


def macro_content_type_workbook() -> bytes:
    """No vbaProject.bin, but the workbook part declares itself macro-enabled."""
    workbook = small_workbook()
    with zipfile.ZipFile(io.BytesIO(workbook)) as original:
        content_types = original.read("[Content_Types].xml").replace(
            b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
            b"application/vnd.ms-excel.sheet.macroEnabled.main+xml",
        )
    assert b"macroEnabled" in content_types
    return with_extra_zip_entries(workbook, {}, content_types=content_types)


def external_link_workbook() -> bytes:
    link = (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        b'<externalLink xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<externalBook xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" r:id="rId1"/>'
        b"</externalLink>"
    )
    return with_extra_zip_entries(small_workbook(), {"xl/externalLinks/externalLink1.xml": link})


def many_parts_workbook(parts: int = 201) -> bytes:
    existing = len(zipfile.ZipFile(io.BytesIO(small_workbook())).infolist())
    extra = {f"xl/media/image{number}.png": png_bytes() for number in range(parts - existing)}
    return with_extra_zip_entries(small_workbook(), extra)


def stored_zip_bomb(declared_bytes: int = ONE_GIB) -> bytes:
    """A few kB on disk whose ZIP directory declares the sheet as `declared_bytes` once inflated.
    The deflate stream really holds 1 MiB of zeros; only the sizes in the directory are inflated."""
    zeros = bytes(1024 * 1024)
    stream = zlib.compressobj(9, zlib.DEFLATED, -15)
    compressed = stream.compress(zeros) + stream.flush()
    sheet = "xl/worksheets/sheet1.xml"
    return declare_entry_size(small_workbook(), sheet, compressed, zlib.crc32(zeros), declared_bytes)


def declare_entry_size(archive: bytes, name: str, compressed: bytes, crc: int, declared_bytes: int) -> bytes:
    """Rewrite the ZIP with the entry `name` replaced by `compressed`, declaring `declared_bytes` in a ZIP64
    central directory so sizes over 4 GiB work too."""
    with zipfile.ZipFile(io.BytesIO(archive)) as original:
        entries = [(entry, original.read(entry.filename)) for entry in original.infolist() if entry.filename != name]
    out = io.BytesIO()
    central = []
    for entry, body in entries:
        data = zlib.compressobj(6, zlib.DEFLATED, -15)
        deflated = data.compress(body) + data.flush()
        central.append(write_local_entry(out, entry.filename.encode(), deflated, zlib.crc32(body), len(body)))
    central.append(write_local_entry(out, name.encode(), compressed, crc, declared_bytes))
    directory_start = out.tell()
    for record in central:
        out.write(record)
    directory_size = out.tell() - directory_start
    end_of_zip64 = out.tell()
    out.write(
        struct.pack(
            "<IQHHIIQQQQ", 0x06064B50, 44, 45, 45, 0, 0, len(central), len(central), directory_size, directory_start
        )
    )
    out.write(struct.pack("<IIQI", 0x07064B50, 0, end_of_zip64, 1))
    out.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 0xFFFF, 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0))
    return out.getvalue()


def write_local_entry(out: io.BytesIO, name: bytes, deflated: bytes, crc: int, size: int) -> bytes:
    """Write a local header and data (sizes in a ZIP64 extra field); return its central directory record."""
    offset = out.tell()
    zip64_local = struct.pack("<HHQQ", 0x0001, 16, size, len(deflated))
    out.write(
        struct.pack(
            "<IHHHHHIIIHH", 0x04034B50, 45, 0, 8, 0, 0x21, crc, 0xFFFFFFFF, 0xFFFFFFFF, len(name), len(zip64_local)
        )
    )
    out.write(name + zip64_local + deflated)
    zip64_central = struct.pack("<HHQQQ", 0x0001, 24, size, len(deflated), offset)
    return (
        struct.pack(
            "<IHHHHHHIIIHHHHHII",
            0x02014B50,
            45,
            45,
            0,
            8,
            0,
            0x21,
            crc,
            0xFFFFFFFF,
            0xFFFFFFFF,
            len(name),
            len(zip64_central),
            0,
            0,
            0,
            0,
            0xFFFFFFFF,
        )
        + name
        + zip64_central
    )


def deflated_zip_bomb(inflated_bytes: int = ONE_GIB) -> bytes:
    """An honest bomb: the sheet really inflates to `inflated_bytes` of zeros (about 1 MiB per GiB on disk)."""
    archive = io.BytesIO()
    chunk = bytes(8 * 1024 * 1024)
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as out:
        with zipfile.ZipFile(io.BytesIO(small_workbook())) as original:
            for entry in original.infolist():
                if entry.filename != "xl/worksheets/sheet1.xml":
                    out.writestr(entry.filename, original.read(entry.filename))
        with out.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            for _ in range(inflated_bytes // len(chunk)):
                sheet.write(chunk)
    return archive.getvalue()


def png_bytes() -> bytes:
    """A real 1×1 PNG."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return PNG_SIGNATURE + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


def utf16_csv() -> bytes:
    return "Forename,Q1\r\nAmy,Y\r\n".encode("utf-16")


def utf16_csv_without_bom() -> bytes:
    return "Forename,Q1\r\nAmy,Y\r\n".encode("utf-16-le")


def nul_csv() -> bytes:
    return b"Forename,Q1\r\nAmy\x00,Y\r\n"


def windows_1252_csv() -> bytes:
    return "Forename,Q1\r\nZoë,Y\r\n".encode("cp1252")
