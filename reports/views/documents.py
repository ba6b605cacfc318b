"""Documents for you: each person's meeting documents, downloaded after sign-in and made for them.

A document this person may not have is a 404, so its existence is not given away; one held back by
the distribution check is a 403 that says so.
"""

from datetime import date, datetime

from flask import abort, current_app, render_template, request
from flask_login import current_user

from access.audit import AuditAction, record_event
from access.models import Role
from access.permissions import allow, can
from cases import store as cases_store
from meetings import store
from reports import distribution, documents
from reports.documents import DocumentKind
from reports.downloads import document_set_download, pdf_download
from reports.views import bp

BAD_DATE = "Enter the date as a real date, like 9/12/2026."
KIND_CHOICES = [
    (DocumentKind.MEETING_PACK, "Meeting pack"),
    (DocumentKind.RESEARCH_PACK, "MARAC list and research pack"),
    (DocumentKind.AGENDA, "Agenda"),
    (DocumentKind.MINUTES, "Minutes"),
    (DocumentKind.ACTION_PLAN, "Action plans"),
]


# Everyone but the auditor, who sees nothing of a case (an administrator's list is empty).
DOCUMENT_LIST_ROLES = (Role.PRACTITIONER, Role.AGENCY_REP, Role.CHAIR, Role.COORDINATOR, Role.ADMIN)


@bp.route("/documents")
@allow(*DOCUMENT_LIST_ROLES)
def list_documents():
    checks = distribution.checks_needed() if can(current_user.role, "reports.view_distribution_check") else []
    typed = {name: request.args.get(name, "").strip() for name in ("q", "kind", "from", "to", "sort")}
    days = {name: parse_day(typed[name]) for name in ("from", "to")}
    problems = {name: BAD_DATE for name, day in days.items() if typed[name] and day is None}
    chosen = documents.DocumentFilter(
        words=typed["q"],
        kind=next((kind for kind, _ in KIND_CHOICES if kind.value == typed["kind"]), None),
        from_day=days["from"],
        to_day=days["to"],
        oldest_first=typed["sort"] == "oldest",
    )
    found = documents.filter_documents(documents.documents_for(current_user), chosen)
    page = documents.page_of(
        found, request.args.get("page", 1, type=int), current_app.config.get("DOCUMENTS_PER_PAGE", 10)
    )
    return render_template(
        "reports/list-documents.html",
        entries=page.entries,
        page=page,
        typed=typed,
        problems=problems,
        kinds=KIND_CHOICES,
        filtered=any(typed[name] for name in ("q", "kind", "from", "to")),
        checks=checks,
    ), 400 if problems else 200


def parse_day(text: str) -> date | None:
    """A day typed as 9/12/2026 or sent by a date field as 2026-12-09; None when it is not a real date."""
    for layout in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(text, layout).date()
        except ValueError:
            continue
    return None


@bp.route("/documents/meetings/<int:meeting_id>/meeting-pack", defaults={"kind": DocumentKind.MEETING_PACK.value})
@bp.route("/documents/meetings/<int:meeting_id>/research-pack", defaults={"kind": DocumentKind.RESEARCH_PACK.value})
@bp.route("/documents/meetings/<int:meeting_id>/agenda", defaults={"kind": DocumentKind.AGENDA.value})
@bp.route("/documents/meetings/<int:meeting_id>/minutes", defaults={"kind": DocumentKind.MINUTES.value})
@bp.route("/documents/meetings/<int:meeting_id>/action-plan", defaults={"kind": DocumentKind.ACTION_PLAN.value})
@allow(Role.COORDINATOR, Role.CHAIR, Role.AGENCY_REP)
def download_meeting_document(meeting_id, kind):
    return send_meeting_document(meeting_id, DocumentKind(kind))


@bp.route("/documents/meetings/<int:meeting_id>/action-plan/<int:agency_id>")
@allow(Role.COORDINATOR, Role.CHAIR, Role.AGENCY_REP, Role.PRACTITIONER)
def download_agency_action_plan(meeting_id, agency_id):
    return send_meeting_document(meeting_id, DocumentKind.AGENCY_ACTION_PLAN, agency_id)


@bp.route("/documents/meetings/<int:meeting_id>/document-set")
@allow(Role.COORDINATOR)
def download_document_set(meeting_id):
    """Every document the coordinator sends out after a meeting, made at once and downloaded as one zip file."""
    # Only the coordinator, whom the distribution check never holds back (distribution.withheld_reason).
    meeting = store.get_meeting(meeting_id)
    made = documents.document_set(meeting, current_user) if meeting else []
    if not made:
        abort(404)
    return document_set_download(made, current_user, f"marac-documents-{documents.meeting_day(meeting)}")


@bp.route("/documents/cases/<uuid:case_id>/transfer-pack")
@allow(Role.COORDINATOR)
def download_transfer_pack(case_id):
    found = cases_store.get_case_for(current_user, str(case_id))
    if found is None:
        abort(404)
    return pdf_download(documents.transfer_pack(found[0]), current_user)


def send_meeting_document(meeting_id: int, kind: DocumentKind, agency_id: int | None = None):
    meeting = store.get_meeting(meeting_id)
    offer = documents.offer_for(meeting, current_user, kind, agency_id) if meeting else None
    if offer is None:
        abort(404)
    # The chair and coordinator check the draft minutes before approving, whatever the check says: their
    # copy still leaves out any case an exclusion list keeps from them.
    held_back = None if offer.draft else distribution.withheld_reason(meeting, current_user)
    if held_back:
        record_event(AuditAction.DOCUMENT_WITHHELD, user=current_user, object_type="meeting", object_id=meeting.id)
        return render_template(
            "reports/list-documents.html", entries=documents.documents_for(current_user), held_back=held_back
        ), 403
    return pdf_download(documents.meeting_document(meeting, offer, current_user), current_user)
