"""Opening a downloaded PDF the way a reader would: page by page, as text."""

import io
import re
import zipfile

from pypdf import PdfReader


def pdf_pages(body: bytes) -> list[str]:
    """Each page's text with runs of whitespace made single spaces, so phrases split over lines still match."""
    return [re.sub(r"\s+", " ", page.extract_text() or "") for page in PdfReader(io.BytesIO(body)).pages]


def pdf_text(body: bytes) -> str:
    return " ".join(pdf_pages(body))


def zipped_pdfs(body: bytes) -> list[bytes]:
    """Each PDF in a zip file (a meeting's whole document set)."""
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        return [archive.read(name) for name in archive.namelist()]


def zipped_pdfs_text(body: bytes) -> str:
    return " ".join(pdf_text(pdf) for pdf in zipped_pdfs(body))


MM = 72 / 25.4


def region_texts(body: bytes, margin_mm: float = 15) -> list[tuple[str, str]]:
    """Per page, (text in the top margin, text in the bottom margin), found by where each piece of text sits."""
    regions = []
    for page in PdfReader(io.BytesIO(body)).pages:
        height = float(page.mediabox.height)
        top, bottom = [], []

        def visit(text, cm, tm, font, size, top=top, bottom=bottom, height=height):
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            if y > height - margin_mm * MM:
                top.append(text)
            elif y < margin_mm * MM:
                bottom.append(text)

        page.extract_text(visitor_text=visit)
        regions.append(("".join(top), "".join(bottom)))
    return regions


def marking_positions(body: bytes, marking: str) -> list[tuple[int, int]]:
    """Per page, how often `marking` appears in the top margin and in the bottom margin."""
    squeeze = lambda text: re.sub(r"\s+", "", text)  # noqa: E731
    return [
        (squeeze(top).count(squeeze(marking)), squeeze(bottom).count(squeeze(marking)))
        for top, bottom in region_texts(body)
    ]


def render_without_sockets(html: str):
    """Run in a render worker process: WeasyPrint's part with sockets refused there, and every attempt noted."""
    import socket

    import pytest_socket

    from reports.pdf import pdf_from_html

    attempts = []

    def recording(blocked):
        def call(*args, **kwargs):
            attempts.append(repr(args))
            return blocked(*args, **kwargs)

        return call

    pytest_socket.disable_socket(allow_unix_socket=True)
    socket.socket, socket.getaddrinfo = recording(socket.socket), recording(socket.getaddrinfo)
    return pdf_from_html(html), attempts
