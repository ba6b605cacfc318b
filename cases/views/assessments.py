"""A case's assessments, each made with one agency's tool and scored into the common schema, and the
professional judgement that can raise the risk the rules see."""

import uuid
from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms.fields import SelectChoice

from access import policy
from access.permissions import allow
from cases import journey
from cases.models import Case
from cases.views import bp
from cases.views.loading import CASE_ROLES, REFERRING_ROLES, load_case_and_scope, load_case_to_change
from forms.cases import ChooseToolForm, JudgementForm
from forms.instrument import change_form_class_for, form_class_for
from risk import store as risk_store
from risk.instruments import get_pack
from risk.models import Assessment, AssessmentStatus
from risk.schema import FACTORS_BY_ID


@bp.route("/cases/<uuid:case_id>/assessments/new", methods=["GET", "POST"])
@allow(*REFERRING_ROLES)
def start_assessment(case_id):
    case = load_case_to_change(case_id)
    packs = journey.tools_in_order(current_user)
    form = ChooseToolForm()
    form.tool.choices = [SelectChoice(pack.id, pack.name) for pack in packs]
    if request.method == "GET":
        form.tool.data = packs[0].id
    if form.validate_on_submit():
        assessment = journey.start_assessment(
            case,
            current_user,
            tool_id=form.tool.data,
            assessed_on=form.assessed_on.data,
            source_if_not_victim=form.source_if_not_victim.data or None,
        )
        return redirect(url_for("cases.edit_assessment", case_id=case.id, assessment_id=assessment.id))
    return render_template("cases/start-assessment.html", form=form, case=case)


def load_assessment(case: Case, assessment_id) -> Assessment:
    assessment = risk_store.get_assessment(case.id, str(assessment_id))
    if assessment is None:
        abort(404)
    return assessment


@bp.route("/cases/<uuid:case_id>/assessments/<uuid:assessment_id>", methods=["GET", "POST"])
@allow(*REFERRING_ROLES)
def edit_assessment(case_id, assessment_id):
    case = load_case_to_change(case_id)
    assessment = load_assessment(case, assessment_id)
    if assessment.status is AssessmentStatus.COMPLETE:
        return redirect(url_for("cases.view_assessment_result", case_id=case.id, assessment_id=assessment.id))
    pack = get_pack(assessment.tool_id)
    form = form_class_for(pack)(data=stored_form_data(assessment))
    if form.validate_on_submit():
        complete = request.form.get("action") == "complete"
        journey.save_answers(
            assessment,
            pack,
            answers={item.id: form[item.id].data for item in pack.items},
            comments={item.id: form[f"{item.id}_comment"].data for item in pack.items},
            complete=complete,
            user=current_user,
        )
        if complete:
            return redirect(url_for("cases.view_assessment_result", case_id=case.id, assessment_id=assessment.id))
        flash("Draft saved. You can come back to it from the case page.")
        return redirect(url_for("cases.edit_assessment", case_id=case.id, assessment_id=assessment.id))
    return render_template("cases/edit-assessment.html", form=form, pack=pack, case=case, assessment=assessment)


def stored_form_data(assessment: Assessment) -> dict:
    return dict(assessment.answers) | {f"{item_id}_comment": text for item_id, text in assessment.comments.items()}


@bp.route("/cases/<uuid:case_id>/assessments/<uuid:assessment_id>/result")
@allow(*CASE_ROLES)
def view_assessment_result(case_id, assessment_id):
    case, scope = load_case_and_scope(case_id)
    if not policy.may_view_assessment(current_user, scope):
        abort(404)
    assessment = load_assessment(case, assessment_id)
    pack = get_pack(assessment.tool_id)
    risk = journey.case_risk(case, date.today())
    versions = journey.assessment_versions(assessment)
    return render_template(
        "cases/view-assessment-result.html",
        case=case,
        assessment=assessment,
        pack=pack,
        result=risk.results.get(assessment.id) or journey.result_for(assessment),
        current=assessment.id not in risk.not_current,
        versions=versions,
        answered=journey.answered_items(assessment, pack),
        may_change=versions.later is None
        and assessment.status is AssessmentStatus.COMPLETE
        and policy.may_change_assessment(current_user, scope),
        decision=risk.decision.to_record(),
        factors=FACTORS_BY_ID,
    )


@bp.route("/cases/<uuid:case_id>/assessments/<uuid:assessment_id>/change", methods=["GET", "POST"])
@allow(*REFERRING_ROLES)
def change_assessment_answers(case_id, assessment_id):
    case, scope = load_case_and_scope(case_id)
    if not policy.may_change_assessment(current_user, scope):
        abort(404)
    assessment = load_assessment(case, assessment_id)
    if assessment.status is not AssessmentStatus.COMPLETE:
        return redirect(url_for("cases.edit_assessment", case_id=case.id, assessment_id=assessment.id))
    if request.method == "GET" and (latest := journey.latest_version(assessment)) is not assessment:
        return redirect(url_for("cases.change_assessment_answers", case_id=case.id, assessment_id=latest.id))
    pack = get_pack(assessment.tool_id)
    form = change_form_class_for(pack)(data=stored_form_data(assessment))
    if request.method == "GET":
        form.change_key.data = str(uuid.uuid4())
    if not form.validate_on_submit():
        return render_change(case, assessment, pack, form, status=400 if form.errors else 200)
    change = answer_change(form, pack)
    drop = journey.tier_drop(assessment, pack, change.answers)
    if drop is not None and form.lower_tier_accepted.data != drop.acceptance:
        form.lower_tier_accepted.data = drop.acceptance
        return render_change(case, assessment, pack, form, drop=drop)
    try:
        version = journey.change_answers(assessment, pack, change, user=current_user)
    except journey.ChangedMeanwhile as changed:
        # Kept as typed, to be sent again as a change of the version that now stands.
        form.change_key.data, form.lower_tier_accepted.data = str(uuid.uuid4()), ""
        return render_change(case, changed.latest, pack, form, meanwhile=True, status=409)
    flash("Answers changed. The earlier version is kept in the case's history.")
    return redirect(url_for("cases.view_assessment_result", case_id=case.id, assessment_id=version.id))


def answer_change(form, pack) -> journey.AnswerChange:
    return journey.AnswerChange(
        change_key=form.change_key.data,
        answers={item.id: form[item.id].data for item in pack.items},
        comments={item.id: form[f"{item.id}_comment"].data for item in pack.items},
        reason=form.reason.data,
    )


def render_change(case, assessment, pack, form, *, drop=None, meanwhile=False, status=200):
    """The form changes `assessment`: after a conflict, the version that now stands, whose answers are shown too."""
    return render_template(
        "cases/change-assessment-answers.html",
        case=case,
        assessment=assessment,
        pack=pack,
        form=form,
        drop=drop,
        meanwhile=meanwhile,
        answered=journey.answered_items(assessment, pack) if meanwhile else None,
    ), status


@bp.route("/cases/<uuid:case_id>/professional-judgement", methods=["GET", "POST"])
@allow(*REFERRING_ROLES)
def record_judgement(case_id):
    case = load_case_to_change(case_id)
    form = JudgementForm()
    if form.validate_on_submit():
        journey.record_judgement(case, current_user, tier=int(form.tier.data), rationale=form.rationale.data)
        return redirect(url_for("cases.view_case", case_id=case.id))
    return render_template("cases/record-judgement.html", form=form, case=case)
