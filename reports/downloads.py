"""Sending a made document to the person who asked: audited, never cached, and honest when it fails."""

import logging
from dataclasses import dataclass

from flask import Response, render_template

from access.audit import AuditAction, record_event
from access.models import User
from cases import journey
from extensions import db, utcnow
from reports.pdf import PreparedFor, new_document_id, render_pdf
from transactions import keep_record_of_failure

log = logging.getLogger("marac")


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


def pdf_download(document: PdfDocument, user: User) -> Response | tuple[str, int]:
    """Render from committed data, read-only; a failure undoes everything but its own audit record and says so."""
    document_id = new_document_id(document.kind, document.subject)
    try:
        pdf = render_pdf(
            document.template,
            title=document.title,
            document_id=document_id,
            prepared_for=prepared_for(user),
            **document.context,
        )
    except Exception as error:
        db.session.rollback()
        log.error({"event": "pdf_failed", "document": document.kind, "error": type(error).__name__})
        record_event(AuditAction.PDF_FAILED, user=user, object_type="document", object_id=document_id)
        keep_record_of_failure()
        return render_template("reports/pdf-failed.html", title=document.title), 500
    record_event(AuditAction.DOCUMENT_DOWNLOADED, user=user, object_type="document", object_id=document_id)
    journey.record_case_views(user, list(document.case_ids))
    return attachment(pdf, "application/pdf", f"{document.filename}.pdf")


def attachment(body: bytes, mimetype: str, filename: str) -> Response:
    return Response(body, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{filename}"'})
