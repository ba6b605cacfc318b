"""One way to make a PDF: a print template rendered by WeasyPrint, fetching only our own print assets.

The fetcher refuses every URL but `data:` and files inside `pdf_assets/`, so a value that reached a
template cannot make the renderer read a local file or open a network connection (SECURITY V5). The HTML is
made where the request is (it needs the app); `pdf_from_html` may then run in a worker process
(reports.rendering), which makes its own fetcher, so the same rule holds there.
"""

import logging
import mimetypes
import secrets
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import unquote, urlsplit

from flask import current_app, render_template
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse, URLFetchingError

from meetings.schedule import UK_TIME

ASSETS = (Path(__file__).parent / "pdf_assets").resolve()
ASSETS_BASE_URL = ASSETS.as_uri() + "/"
log = logging.getLogger("marac")


class LocalAssetFetcher(URLFetcher):
    def __init__(self):
        super().__init__(timeout=1, allowed_protocols=("data", "file"), allow_redirects=False)
        self.refused: list[str] = []
        """The scheme of each URL refused: logged by the app process, which may not be the one rendering."""

    def fetch(self, url, headers=None):
        if url.startswith("data:"):
            return super().fetch(url, headers)
        path = bundled_asset(url)
        if path is None:
            self.refused.append(urlsplit(url).scheme or "none")
            raise URLFetchingError("Only the app's own print assets may be used in a document.")
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(path.as_uri(), path.read_bytes(), {"Content-Type": content_type})


def bundled_asset(url: str) -> Path | None:
    parts = urlsplit(url)
    if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
        return None
    path = Path(unquote(parts.path)).resolve()
    if not path.is_relative_to(ASSETS) or not path.is_file():
        return None
    return path


@dataclass(frozen=True)
class PreparedFor:
    """Who a copy was made for: printed on every page, so a leaked copy names its source."""

    name: str
    agency: str
    on: datetime

    @property
    def watermark(self) -> str:
        """Across every page, large and faint: a photographed or printed copy still says whose it was."""
        day = self.on.astimezone(UK_TIME).strftime("%-d %B %Y")
        return f"Prepared for {self.name}, {self.agency}, {day} — do not copy"


def new_document_id(kind: str, subject: str) -> str:
    """Unique per copy, so the audit trail can say exactly which copy went to whom."""
    return f"{kind}-{subject}-{secrets.token_hex(4)}".upper()


@dataclass(frozen=True)
class RenderedPdf:
    pdf: bytes
    refused: tuple[str, ...]


def document_html(template: str, *, title: str, document_id: str, prepared_for: PreparedFor, **context) -> str:
    return render_template(
        template,
        title=title,
        document_id=document_id,
        prepared_for=prepared_for,
        marking=current_app.config["PROTECTIVE_MARKING"],
        **context,
    )


def pdf_from_html(html: str) -> RenderedPdf:
    """WeasyPrint alone, needing no app: it may run in a worker process."""
    fetcher = LocalAssetFetcher()
    pdf = HTML(string=html, base_url=ASSETS_BASE_URL, url_fetcher=fetcher).write_pdf()
    return RenderedPdf(pdf, tuple(fetcher.refused))


def log_refusals(rendered: RenderedPdf) -> bytes:
    for scheme in rendered.refused:
        log.warning({"event": "pdf-fetch-refused", "scheme": scheme})
    return rendered.pdf


def render_pdf(template: str, *, title: str, document_id: str, prepared_for: PreparedFor, **context) -> bytes:
    """In this process: for scripts and tests; downloads go through reports.rendering."""
    html = document_html(template, title=title, document_id=document_id, prepared_for=prepared_for, **context)
    return log_refusals(pdf_from_html(html))
