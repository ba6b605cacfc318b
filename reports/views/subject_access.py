"""Subject access requests (SECURITY D6): the coordinator records a request, says who it is about, decides
on each item found and exports the disclosure. Every look at a case's data here is audited under the case."""

import json

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from access import policy
from access.models import Role
from access.permissions import allow
from access.step_up import requires_step_up
from cases import journey
from forms.subject_access import (
    ConfirmForm,
    ConfirmPeopleForm,
    ExtendForm,
    ItemDecisionForm,
    SubjectAccessRequestForm,
    lines_of,
)
from reports import store
from reports import subject_access as sar
from reports.downloads import PdfDocument, attachment, pdf_download
from reports.models import SubjectAccessItem, SubjectAccessRequest
from reports.quarters import uk_today
from reports.views import bp
from reports.vocabulary import ItemDecision, ReceivedBy, RequesterKind, answer_clock, exemption_named

JSON_MIMETYPE = "application/json"


def load_request(sar_id: int) -> SubjectAccessRequest:
    request = store.get_subject_access_request(sar_id)
    if request is None or not policy.may_handle_subject_access(current_user):
        abort(404)
    return request


def load_item(request: SubjectAccessRequest, sar_item_id: int) -> SubjectAccessItem:
    item = store.get_subject_access_item(request, sar_item_id)
    if item is None:
        abort(404)
    return item


def refuse_unless_handler() -> None:
    if not policy.may_handle_subject_access(current_user):
        abort(404)


def show_problem(form, error: sar.SubjectAccessError) -> None:
    """Put a refused step's message on the field it is about, so the page shows what to fix."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, str(error)]
    else:
        form.form_errors.append(str(error))


@bp.route("/subject-access")
@allow(Role.COORDINATOR)
def list_subject_access_requests():
    refuse_unless_handler()
    today = uk_today()
    requests = store.list_subject_access_requests()
    rows = [(request, sar.clock_words(request, today), sar.is_overdue(request, today)) for request in requests]
    return render_template("reports/subject-access/list.html", rows=rows, clock=answer_clock())


@bp.route("/subject-access/new", methods=["GET", "POST"])
@allow(Role.COORDINATOR)
def record_subject_access_request():
    refuse_unless_handler()
    form = SubjectAccessRequestForm()
    if form.validate_on_submit():
        terms = sar.SearchTerms(
            names=tuple(lines_of(form.names.data)),
            dates_of_birth=form.dates_of_birth.days,
            postcodes=tuple(lines_of(form.postcodes.data)),
        )
        try:
            request = sar.record_request(
                requester_kind=RequesterKind(form.requester_kind.data),
                requester_name=form.requester_name.data,
                received_by=ReceivedBy(form.received_by.data),
                received_on=form.received_on.data,
                terms=terms,
                user=current_user,
            )
        except sar.SubjectAccessError as error:
            show_problem(form, error)
        else:
            return redirect(url_for("reports.confirm_subject_access_people", sar_id=request.id))
    status = 400 if form.errors or form.form_errors else 200
    return render_template("reports/subject-access/new.html", form=form, clock=answer_clock()), status


@bp.route("/subject-access/<int:sar_id>/people", methods=["GET", "POST"])
@allow(Role.COORDINATOR)
def confirm_subject_access_people(sar_id):
    request = load_request(sar_id)
    if request.people_confirmed_at:
        return redirect(url_for("reports.view_subject_access_request", sar_id=request.id))
    found = sar.find_people(sar.terms_of(request))
    form = ConfirmPeopleForm()
    form.people.choices = [(each.person.id, f"{each.person.given_name} {each.person.family_name}") for each in found]
    if form.validate_on_submit():
        try:
            sar.confirm_people(request, form.people.data, current_user)
        except sar.SubjectAccessError as error:
            show_problem(form, error)
        else:
            flash("Everything held about the person has been gathered. Decide on each item below.")
            return redirect(url_for("reports.view_subject_access_request", sar_id=request.id))
    journey.record_case_views(current_user, sorted({case.id for each in found for case, _ in each.cases}))
    status = 400 if form.errors or form.form_errors else 200
    return render_template("reports/subject-access/people.html", sar_request=request, found=found, form=form), status


@bp.route("/subject-access/<int:sar_id>")
@allow(Role.COORDINATOR)
def view_subject_access_request(sar_id):
    request = load_request(sar_id)
    journey.record_case_views(current_user, sar.case_ids_of(request.items))
    return render_template(
        "reports/subject-access/view.html",
        sar_request=request,
        clock_words=sar.clock_words(request, uk_today()),
        overdue=sar.is_overdue(request, uk_today()),
        due_on=sar.due_on(request),
        clock=answer_clock(),
        to_review=len(sar.undecided(request)),
        exemption_named=exemption_named,
    )


@bp.route("/subject-access/<int:sar_id>/items/<int:sar_item_id>", methods=["GET", "POST"])
@allow(Role.COORDINATOR)
def decide_subject_access_item(sar_id, sar_item_id):
    request = load_request(sar_id)
    item = load_item(request, sar_item_id)
    form = ItemDecisionForm(obj=None if item.decision is ItemDecision.TO_REVIEW else item)
    if form.validate_on_submit():
        try:
            sar.decide(
                item,
                decision=ItemDecision(form.decision.data),
                exemption=form.exemption.data or None,
                redacted_text=form.redacted_text.data,
                release_confirmed=form.release_confirmed.data,
                user=current_user,
            )
        except sar.SubjectAccessError as error:
            show_problem(form, error)
        else:
            flash(f"Decision saved: {item.decision.label.lower()}.")
            return redirect(
                url_for("reports.view_subject_access_request", sar_id=request.id, _anchor=f"item-{item.id}")
            )
    sar.record_item_shown(item, current_user)
    status = 400 if form.errors or form.form_errors else 200
    return render_template(
        "reports/subject-access/item.html",
        sar_request=request,
        item=item,
        fields=sar.fields_of(item),
        form=form,
        exemption_named=exemption_named,
    ), status


@bp.route("/subject-access/<int:sar_id>/extend", methods=["GET", "POST"])
@allow(Role.COORDINATOR)
def extend_subject_access_request(sar_id):
    request = load_request(sar_id)
    form = ExtendForm()
    if form.validate_on_submit():
        try:
            sar.extend(request, form.reason.data, current_user)
        except sar.SubjectAccessError as error:
            show_problem(form, error)
        else:
            flash(f"The time to answer is extended: now due on {sar.due_on(request):%-d %B %Y}.")
            return redirect(url_for("reports.view_subject_access_request", sar_id=request.id))
    status = 400 if form.errors or form.form_errors else 200
    extended_due = sar.due_on(request, extended=True)
    return render_template(
        "reports/subject-access/extend.html",
        sar_request=request,
        form=form,
        clock=answer_clock(),
        extended_due=extended_due,
    ), status


@bp.route("/subject-access/<int:sar_id>/close", methods=["GET", "POST"])
@allow(Role.COORDINATOR)
def close_subject_access_request(sar_id):
    request = load_request(sar_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            sar.close(request, current_user)
        except sar.SubjectAccessError as error:
            show_problem(form, error)
        else:
            flash("The request is closed as answered.")
            return redirect(url_for("reports.view_subject_access_request", sar_id=request.id))
    status = 400 if form.form_errors else 200
    return render_template(
        "reports/subject-access/close.html", sar_request=request, form=form, to_review=len(sar.undecided(request))
    ), status


# The exports ask for step-up authentication (SECURITY S6) before anything is made.


def refused_export(request: SubjectAccessRequest, error: sar.SubjectAccessError):
    flash(str(error), "error")
    return redirect(url_for("reports.view_subject_access_request", sar_id=request.id))


@bp.route("/subject-access/<int:sar_id>/disclosure-pdf")
@allow(Role.COORDINATOR)
@requires_step_up
def download_subject_access_pdf(sar_id):
    request = load_request(sar_id)
    try:
        sar.ready_to_disclose(request)
    except sar.SubjectAccessError as error:
        return refused_export(request, error)
    shown = sar.disclosed_items(request)
    document = PdfDocument(
        kind="SAR",
        subject=str(request.id),
        title="Subject access disclosure",
        template="reports/print-subject-access.html",
        filename=f"subject-access-{request.id}",
        context={"sar_request": request, "shown": shown, "withheld": sar.withheld_counts(request)},
        case_ids=tuple(sar.case_ids_of(each.item for each in shown)),
    )
    response = pdf_download(document, current_user)
    if getattr(response, "status_code", 500) == 200:
        sar.record_disclosure(request, current_user)
    return response


@bp.route("/subject-access/<int:sar_id>/export-json")
@allow(Role.COORDINATOR)
@requires_step_up
def download_subject_access_json(sar_id):
    request = load_request(sar_id)
    try:
        sar.ready_to_disclose(request)  # a disclosure, like the PDF: only once every item is decided
    except sar.SubjectAccessError as error:
        return refused_export(request, error)
    body = json.dumps(sar.export_json(request), indent=2, ensure_ascii=False).encode()
    disclosed = [item for item in request.items if item.decision in (ItemDecision.DISCLOSED, ItemDecision.REDACTED)]
    sar.record_disclosure(request, current_user)
    journey.record_case_views(current_user, sar.case_ids_of(disclosed))
    return attachment(body, JSON_MIMETYPE, f"subject-access-{request.id}.json")
