"""Sending a made document to the person who asked: audited, never cached, and honest when it fails."""

import io
import logging
import zipfile
from collections.abc import Callable
from dataclasses import dataclass

from flask import Response, render_template

from access.audit import AuditAction, record_event
from access.models import User
from cases import journey
from extensions import db, utcnow
from reports.pdf import PreparedFor, document_html, new_document_id
from reports.rendering import NoTurn, render_pdfs
from transactions import keep_record_of_failure

log = logging.getLogger("marac")
TRY_AGAIN_SECONDS = 60


@dataclass(frozen=True)
class PdfDocument:
    """What to print and about which cases: the cases are recorded as viewed when it is downloaded."""

    kind: str
    subject: str
    title: str
    template: str
    filename: str
    context: dict
    case_ids: tuple[str, ...] = ()


def prepared_for(user: User) -> PreparedFor:
    return PreparedFor(name=user.name, agency=user.agency.name, on=utcnow())


def pdf_download(document: PdfDocument, user: User) -> Response | tuple:
    return download([document], user, lambda pdfs: attachment(pdfs[0], "application/pdf", f"{document.filename}.pdf"))


def document_set_download(documents: list[PdfDocument], user: User, filename: str) -> Response | tuple:
    """Several documents made at once, on both cores, sent as one zip file."""
    return download(
        documents,
        user,
        lambda pdfs: attachment(zip_of(documents, pdfs), "application/zip", f"{filename}.zip"),
    )


def download(documents: list[PdfDocument], user: User, respond: Callable[[list[bytes]], Response]) -> Response | tuple:
    """Render from committed data, read-only; a failure undoes everything but its own audit records and says so;
    when no render slot frees in time, says to try again and changes nothing."""
    document_ids = [new_document_id(document.kind, document.subject) for document in documents]
    reader = prepared_for(user)
    try:
        pdfs = render_pdfs(
            [
                document_html(
                    document.template,
                    title=document.title,
                    document_id=document_id,
                    prepared_for=reader,
                    **document.context,
                )
                for document, document_id in zip(documents, document_ids)
            ]
        )
    except NoTurn:
        log.warning({"event": "pdf-no-turn", "documents": len(documents)})
        page = render_template("reports/pdf-queued.html", title=documents[0].title)
        return page, 503, {"Retry-After": str(TRY_AGAIN_SECONDS)}
    except Exception as error:
        db.session.rollback()
        log.error({"event": "pdf_failed", "document": documents[0].kind, "error": type(error).__name__})
        for document_id in document_ids:
            record_event(AuditAction.PDF_FAILED, user=user, object_type="document", object_id=document_id)
        keep_record_of_failure()
        return render_template("reports/pdf-failed.html", title=documents[0].title), 500
    for document_id in document_ids:
        record_event(AuditAction.DOCUMENT_DOWNLOADED, user=user, object_type="document", object_id=document_id)
    journey.record_case_views(
        user, list(dict.fromkeys(case_id for document in documents for case_id in document.case_ids))
    )
    return respond(pdfs)


def zip_of(documents: list[PdfDocument], pdfs: list[bytes]) -> bytes:
    """Stored, not compressed: PDFs are compressed already."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for name, pdf in zip(distinct_names([document.filename for document in documents]), pdfs):
            archive.writestr(f"{name}.pdf", pdf)
    return buffer.getvalue()


def distinct_names(names: list[str]) -> list[str]:
    """Two agencies whose names read alike would give two plans one file name, and unzipping keeps only one:
    a later one is numbered instead."""
    seen, distinct = set(), []
    for name in names:
        number, candidate = 1, name
        while candidate in seen:
            number += 1
            candidate = f"{name}-{number}"
        seen.add(candidate)
        distinct.append(candidate)
    return distinct


def attachment(body: bytes, mimetype: str, filename: str) -> Response:
    return Response(body, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{filename}"'})
