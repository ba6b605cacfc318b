"""The referral: the form the MARAC asks for (kept as a draft while it is typed), what was sent,
and putting it right or withdrawing it before the coordinator has looked at it."""

import uuid
from datetime import date

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.datastructures import MultiDict
from wtforms.fields import SelectChoice

from access import policy
from access import store as access_store
from access.permissions import allow
from cases import journey, store
from cases.models import Case, PartyRole, Referral
from cases.views import bp
from cases.views.loading import REFERRING_ROLES, load_case_and_scope, load_case_unrecorded
from forms.cases import (
    DecisionReasonForm,
    PartyForm,
    VictimForm,
    comma_separated,
    referral_form_for,
    relationship_field_name,
)

REFERRAL_ALREADY_OPEN_MESSAGE = (
    "A referral for this case is already with the MARAC, so there is nothing more to send. "
    "Where it stands is shown under What happens next."
)
NO_PERPETRATOR_MESSAGE = (
    "Name the person causing harm below, or tick the box to say no one can be named yet: agencies research the "
    "people a referral names"
)
MOVED_ON_MESSAGE = (
    "The MARAC coordinator has already looked at this referral, so it can no longer be changed here. "
    "Nothing has been saved: what you typed is below. Send your corrections to the coordinator."
)
# A draft is the form as typed, kept whole; this bounds what one person can store in it.
MAX_DRAFT_CHARACTERS = 100_000


class ReferralPage:
    """The three parts of the referral form, read from one request or draft: her details, someone new
    to add to the case, and the referral itself."""

    def __init__(self, case: Case, scope, *, formdata=None, data=None):
        parties = list(case.parties)
        self.case = case
        self.may_edit_victim = journey.may_edit_person(current_user, scope, case.victim)
        self.referral = referral_form_for(
            [party.id for party in parties], formdata=formdata, data=(data or {}) | relationships(parties)
        )
        self.referral.other_agency_ids.choices = [
            SelectChoice(agency.id, agency.name) for agency in access_store.list_agencies()
        ]
        victim_data = journey.victim_form_data(case.victim)
        self.victim = VictimForm(formdata=formdata, data=victim_data, prefix="victim", meta={"csrf": False})
        self.new_person = PartyForm(formdata=formdata, prefix="person", meta={"csrf": False})
        self.parties = parties

    def validate(self) -> bool:
        valid = self.referral.validate()
        if self.may_edit_victim:
            valid = self.victim.validate() and valid
        if not self.new_person.is_blank():
            valid = self.new_person.validate() and valid
        return valid

    def details(self) -> journey.ReferralDetails:
        form = self.referral
        return journey.ReferralDetails(
            idempotency_key=form.idempotency_key.data,
            victim_informed=form.victim_informed.data == "yes",
            consent_given=form.consent_given.data == "yes",
            no_consent_reason=form.no_consent_reason.data,
            excluded_people=tuple(form.excluded_people_entries()),
            risk_summary=form.risk_summary.data,
            victim_wants=form.victim_wants.data,
            referrer_phone=form.referrer_phone.data,
            referrer_email=form.referrer_email.data,
            other_agency_ids=tuple(form.other_agency_ids.data or ()),
            other_agencies_note=form.other_agencies_note.data,
            perpetrator_not_known=bool(form.perpetrator_not_known.data),
            relationships=tuple((party.id, form[relationship_field_name(party.id)].data) for party in self.parties),
            victim=victim_details(self.victim) if self.may_edit_victim else None,
            new_party=None if self.new_person.is_blank() else new_party(self.new_person),
        )

    def names_a_perpetrator(self) -> bool:
        if journey.names_a_perpetrator_or_says_none_can_be(self.case, self.details()):
            return True
        self.referral.perpetrator_not_known.errors = [NO_PERPETRATOR_MESSAGE]
        return False


def relationships(parties) -> dict:
    return {relationship_field_name(party.id): party.relationship_to_victim or "" for party in parties}


def victim_details(form: VictimForm) -> journey.VictimDetails:
    return journey.VictimDetails(
        person=journey.PersonDetails(**form.person_details()),
        address=form.address.data,
        postcode=form.postcode.data,
    )


def new_party(form: PartyForm) -> journey.NewParty:
    return journey.NewParty(
        role=PartyRole(form.role.data),
        given_name=form.given_name.data,
        family_name=form.family_name.data,
        date_of_birth=form.date_of_birth.data,
        aliases=comma_separated(form.aliases.data),
        relationship_to_victim=form.relationship_to_victim.data,
    )


def load_case_to_refer(case_id):
    case, scope = load_case_and_scope(case_id)
    if not policy.may_change_case(current_user, scope):
        abort(404)
    return case, scope


@bp.route("/cases/<uuid:case_id>/referral", methods=["GET", "POST"])
@allow(*REFERRING_ROLES)
def refer_case(case_id):
    case, scope = load_case_to_refer(case_id)
    already = journey.open_referral(case)
    if already is not None and request.form.get("idempotency_key") != already.idempotency_key:
        # The same form sent again falls through, and is answered with the referral it made.
        flash(REFERRAL_ALREADY_OPEN_MESSAGE)
        return redirect(url_for("cases.view_case", case_id=case.id))
    decision = journey.current_decision(case, date.today())
    if request.method == "GET":
        return render_referral_form(case, new_referral_page(case, scope), decision)
    page = ReferralPage(case, scope, formdata=request.form)
    if request.form.get("action") == "add-person":
        return add_person_from_the_form(case, page, decision)
    if decision.eligible and page.validate() and page.names_a_perpetrator():
        referral = journey.refer(case, decision, page.details(), user=current_user)
        return redirect(url_for("cases.view_referral_made", case_id=case.id, referral_id=referral.id))
    return render_referral_form(case, page, decision)  # refused: shown again as typed, and nothing written


def new_referral_page(case: Case, scope) -> ReferralPage:
    """Carry on from the draft if there is one; otherwise start from what the case already holds."""
    draft = journey.referral_draft(case, current_user)
    if draft is not None:
        return ReferralPage(case, scope, formdata=MultiDict(draft.fields))
    data = journey.referral_form_data(case, current_user) | {"idempotency_key": str(uuid.uuid4())}
    return ReferralPage(case, scope, data=data)


def add_person_from_the_form(case: Case, page: ReferralPage, decision):
    """ "Add this person" puts them on the case at once; the rest of the form is kept as a draft."""
    if page.new_person.is_blank() or not page.new_person.validate():
        if page.new_person.is_blank():
            page.new_person.given_name.errors = ["Enter the person's details before adding them"]
        return render_referral_form(case, page, decision)
    journey.add_party(case, current_user, new_party(page.new_person))
    # The page reloads to show the new person: the rest of what was typed waits in the draft.
    kept = {name: values for name, values in typed_fields().items() if not name.startswith("person-")}
    journey.save_referral_draft(case, current_user, kept)
    flash("Person added to the case. Add another, or carry on with the referral.")
    return redirect(url_for("cases.refer_case", case_id=case.id, _anchor="people"))


def render_referral_form(case: Case, page: ReferralPage, decision, *, status=200, referral: Referral | None = None):
    return render_template(
        "cases/refer-case.html",
        page=page,
        form=page.referral,
        case=case,
        decision=decision.to_record() if decision is not None else None,
        draft=journey.referral_draft(case, current_user) if referral is None else None,
        referral=referral,
        excluded_people=store.list_excluded_people(case),
    ), status


def typed_fields() -> dict[str, list[str]]:
    return {name: request.form.getlist(name) for name in request.form if name != "csrf_token"}


@bp.route("/cases/<uuid:case_id>/referral/draft", methods=["POST"])
@allow(*REFERRING_ROLES)
def save_referral_draft(case_id):
    """Called as the referrer types (see app.mjs): only they see the draft, and it goes when they send."""
    case, scope = load_case_unrecorded(case_id)
    if not policy.may_change_case(current_user, scope):
        abort(404)
    fields = typed_fields()
    if sum(len(value) for values in fields.values() for value in values) > MAX_DRAFT_CHARACTERS:
        return jsonify(error="Not saved: the form is too long to keep as a draft. Shorten the longest answers."), 400
    draft = journey.save_referral_draft(case, current_user, fields)
    return jsonify(saved_at=draft.saved_at.isoformat())


@bp.route("/cases/<uuid:case_id>/referral/<uuid:referral_id>")
@allow(*REFERRING_ROLES)
def view_referral_made(case_id, referral_id):
    case, scope = load_case_and_scope(case_id)
    if not policy.may_view_referral(current_user, scope):
        abort(404)
    referral = store.get_referral(case, str(referral_id))
    if referral is None:
        abort(404)
    return render_template(
        "cases/referral-made.html",
        case=case,
        referral=referral,
        other_agencies=journey.other_agency_names(referral),
        may_correct=policy.may_correct_referral(current_user, journey.referral_scope(current_user, referral, scope)),
    )


@bp.route("/cases/<uuid:case_id>/referral/<uuid:referral_id>/change", methods=["GET", "POST"])
@allow(*REFERRING_ROLES)
def correct_referral(case_id, referral_id):
    case, scope = load_case_and_scope(case_id)
    referral = store.get_referral(case, str(referral_id))
    if referral is None or not policy.may_view_referral(current_user, scope):
        abort(404)
    if not policy.may_correct_referral(current_user, journey.referral_scope(current_user, referral, scope)):
        status = 200 if request.method == "GET" else 409
        return render_template("cases/referral-moved-on.html", case=case, referral=referral), status
    if request.method == "GET":
        page = ReferralPage(case, scope, data=journey.referral_data(referral))
        page.referral.version.data = str(referral.version_id)
        return render_referral_form(case, page, None, referral=referral)
    page = ReferralPage(case, scope, formdata=request.form)
    if not (page.validate() and page.names_a_perpetrator()):
        return render_referral_form(case, page, None, referral=referral)
    try:
        journey.correct_referral(referral, page.details(), version=int(page.referral.version.data), user=current_user)
    except journey.ReferralMovedOn:
        page.referral.form_errors.append(MOVED_ON_MESSAGE)
        return render_referral_form(case, page, None, referral=referral, status=409)
    flash("Referral corrected. The MARAC coordinator will see it as it is now.")
    return redirect(url_for("cases.view_referral_made", case_id=case.id, referral_id=referral.id))


@bp.route("/cases/<uuid:case_id>/referral/<uuid:referral_id>/withdraw", methods=["GET", "POST"])
@allow(*REFERRING_ROLES)
def withdraw_referral(case_id, referral_id):
    case, scope = load_case_and_scope(case_id)
    referral = store.get_referral(case, str(referral_id))
    if referral is None or not policy.may_view_referral(current_user, scope):
        abort(404)
    if not policy.may_withdraw_referral(current_user, journey.referral_scope(current_user, referral, scope)):
        # Seen but not withdrawable: say why and what to do instead, and change nothing.
        status = 200 if request.method == "GET" else 409
        return render_template("cases/withdraw-referral.html", form=None, case=case, referral=referral), status
    form = DecisionReasonForm()
    if form.validate_on_submit():
        journey.withdraw_referral(referral, reason=form.reason.data, user=current_user)
        flash("Referral withdrawn. The MARAC coordinator will no longer see it in the queue.")
        return redirect(url_for("cases.view_case", case_id=case.id))
    status = 400 if form.errors else 200
    return render_template("cases/withdraw-referral.html", form=form, case=case, referral=referral), status
