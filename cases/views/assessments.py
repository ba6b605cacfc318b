"""A case's assessments, each made with one agency's tool and scored into the common schema, and the
professional judgement that can raise the risk the rules see."""

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
from forms.instrument import form_class_for
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
    risk = journey.case_risk(case, date.today())
    return render_template(
        "cases/view-assessment-result.html",
        case=case,
        assessment=assessment,
        pack=get_pack(assessment.tool_id),
        result=risk.results.get(assessment.id) or journey.result_for(assessment),
        current=assessment.id not in risk.not_current,
        decision=risk.decision.to_record(),
        factors=FACTORS_BY_ID,
    )


@bp.route("/cases/<uuid:case_id>/professional-judgement", methods=["GET", "POST"])
@allow(*REFERRING_ROLES)
def record_judgement(case_id):
    case = load_case_to_change(case_id)
    form = JudgementForm()
    if form.validate_on_submit():
        journey.record_judgement(case, current_user, tier=int(form.tier.data), rationale=form.rationale.data)
        return redirect(url_for("cases.view_case", case_id=case.id))
    return render_template("cases/record-judgement.html", form=form, case=case)
