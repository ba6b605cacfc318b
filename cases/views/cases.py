"""The case and its people: finding or adding a victim, the case page, break-glass, parties, safe contact,
incidents and the referral."""

from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms.fields import SelectChoice

from access import policy
from access import store as access_store
from access.models import Role
from access.permissions import allow
from cases import chronology, journey, standing, store
from cases.models import PartyRole
from cases.views import bp
from cases.views.loading import CASE_ROLES, REFERRING_ROLES, load_case, load_case_and_scope, load_case_to_change
from cases.vocabulary import EntryKind
from forms.cases import (
    NOT_KNOWN,
    BreakGlassForm,
    FindVictimForm,
    IncidentForm,
    PartyForm,
    PersonDetailsForm,
    SafeContactForm,
    comma_separated,
)
from risk.in_force import current_ruleset

REPEAT_RETURNED_MESSAGE = (
    "This case has gone back to the MARAC queue as a repeat: it was taken to MARAC within the repeat window before "
    "this incident, so it is referred back whatever the risk level. The MARAC coordinator will see it in the "
    "referral queue."
)


@bp.route("/cases/new", methods=["GET", "POST"])
@allow(*REFERRING_ROLES)
def find_victim():
    form = FindVictimForm()
    suggestions = None
    if form.validate_on_submit():
        action = request.form.get("action", "search")
        typed = journey.TypedPerson(
            form.given_name.data, form.family_name.data, form.date_of_birth.data, form.postcode.data
        )
        if action == "add":
            return redirect(
                url_for("cases.view_case", case_id=journey.start_case_for_new_person(current_user, typed).id)
            )
        suggestions = journey.find_possible_matches(current_user, typed)
        if action.startswith("use:"):
            chosen = next((match for match in suggestions if match.person_id == action.removeprefix("use:")), None)
            if chosen is None:
                abort(400)
            case = journey.start_case_for_new_person(current_user, typed, proposed_victim_id=chosen.person_id)
            flash("Case started. The MARAC coordinator will confirm whether this is the person already known.")
            return redirect(url_for("cases.view_case", case_id=case.id))
    return render_template("cases/find-victim.html", form=form, suggestions=suggestions)


@bp.route("/cases/<uuid:case_id>")
@allow(*CASE_ROLES)
def view_case(case_id):
    case, scope = load_case_and_scope(case_id)
    if case.anonymised_at is not None:
        # What is left names no one and means nothing read alone (SECURITY D5).
        return render_template("cases/anonymised-case.html", case=case)
    # Read once here and handed to each part of the page, which would otherwise read them again.
    records = store.CaseRecords(case)
    risk = journey.case_risk(case, date.today(), records)
    shown_kind = chronology.kind_named(request.args.get("kind"))
    return render_template(
        "cases/view-case.html",
        case=case,
        standing=standing.facts_for(current_user, case, scope, records),
        history=chronology.entries_for(
            current_user, case, scope, kinds={shown_kind} if shown_kind else None, records=records
        ),
        entry_kinds=list(EntryKind),
        shown_kind=shown_kind,
        assessments=records.assessments,
        later_versions=journey.later_versions(records.assessments),
        incidents=records.incidents,
        judgements=records.judgements,
        decision=risk.decision.to_record(),
        referral_status=journey.referral_status(current_user, case, scope, records),
        results=risk.results,
        not_current=risk.not_current,
        can_see_safe_contact=policy.may_record_safe_contact(current_user, scope)
        or bool(journey.visible_safe_contacts(current_user, case, scope)),
        excluded_people=store.list_excluded_people(case)
        if policy.may_view_exclusion_list(current_user, scope)
        else None,
        can_change=policy.may_change_case(current_user, scope),
        can_confirm_link=case.proposed_victim_id is not None and policy.may_confirm_person_link(current_user),
        editable_people=journey.people_editable_by(current_user, case, scope),
    )


@bp.route("/cases/<uuid:case_id>/break-glass", methods=["GET", "POST"])
@allow(Role.PRACTITIONER, Role.AGENCY_REP)
def break_glass(case_id):
    """The same page whether or not the case exists, so it gives nothing away until a reason is given."""
    form = BreakGlassForm()
    if form.validate_on_submit():
        opened = journey.break_glass(current_user, str(case_id), form.reason.data)
        if opened is None:
            abort(404)
        case, message = opened
        if message:
            flash(message)
        return redirect(url_for("cases.view_case", case_id=case.id))
    return render_template("cases/break-glass.html", form=form, case_id=case_id)


@bp.route("/cases/<uuid:case_id>/victim-link", methods=["POST"])
@allow(Role.COORDINATOR)
def confirm_victim_link(case_id):
    case = load_case(case_id)
    if case.proposed_victim_id is None:
        abort(404)
    if request.form.get("decision") == "confirm":
        journey.confirm_victim_link(case, user=current_user)
        flash("Linked: the victim is recorded as the person already known, so her earlier MARAC history counts.")
    elif request.form.get("decision") == "reject":
        journey.reject_victim_link(case, user=current_user)
        flash("Not linked: the victim stays a separate person.")
    else:
        abort(400)
    return redirect(url_for("cases.view_case", case_id=case.id))


@bp.route("/cases/<uuid:case_id>/people/new", methods=["GET", "POST"])
@allow(*REFERRING_ROLES)
def add_party(case_id):
    case = load_case_to_change(case_id)
    form = PartyForm()
    if form.validate_on_submit():
        journey.add_party(
            case,
            current_user,
            journey.NewParty(
                role=PartyRole(form.role.data),
                given_name=form.given_name.data,
                family_name=form.family_name.data,
                date_of_birth=form.date_of_birth.data,
                aliases=comma_separated(form.aliases.data),
                relationship_to_victim=form.relationship_to_victim.data,
            ),
        )
        return redirect(url_for("cases.view_case", case_id=case.id))
    return render_template("cases/add-party.html", form=form, case=case)


@bp.route("/cases/<uuid:case_id>/safe-contact", methods=["GET", "POST"])
@allow(Role.PRACTITIONER, Role.COORDINATOR)
def edit_safe_contact(case_id):
    case, scope = load_case_and_scope(case_id)
    visible = journey.visible_safe_contacts(current_user, case, scope)
    may_record = policy.may_record_safe_contact(current_user, scope)
    if not visible and not may_record:
        abort(404)
    own = next((contact for contact in visible if contact.agency_id == current_user.agency_id), None)
    form = SafeContactForm(obj=own)
    if may_record and form.validate_on_submit():
        journey.save_safe_contact(
            case,
            current_user,
            phone=form.phone.data,
            safe_to_call=form.safe_to_call.data,
            safe_address=form.safe_address.data,
        )
        return redirect(url_for("cases.view_case", case_id=case.id))
    journey.record_safe_contact_view(current_user, case)
    others = [contact for contact in visible if contact is not own]
    return render_template("cases/edit-safe-contact.html", form=form if may_record else None, case=case, others=others)


@bp.route("/cases/<uuid:case_id>/incidents/new", methods=["GET", "POST"])
@allow(*REFERRING_ROLES)
def add_incident(case_id):
    case = load_case_to_change(case_id)
    form = IncidentForm()
    form.agency_id.choices = [SelectChoice(str(agency.id), agency.name) for agency in access_store.list_agencies()]
    perpetrators = store.perpetrators(case)
    form.perpetrator_id.choices = [
        SelectChoice(person.id, f"{person.given_name} {person.family_name}") for person in perpetrators
    ]
    form.perpetrator_id.choices.append(SelectChoice(NOT_KNOWN, "Not known"))
    if request.method == "GET":
        form.perpetrator_id.data = perpetrators[0].id if len(perpetrators) == 1 else NOT_KNOWN
    if form.validate_on_submit():
        repeat = journey.record_incident(
            case,
            current_user,
            occurred_on=form.occurred_on.data,
            type=form.type.data,
            agency_id=int(form.agency_id.data),
            reference=form.reference.data,
            perpetrator_id=form.perpetrator_id.data if form.perpetrator_id.data not in (None, NOT_KNOWN) else None,
        )
        if repeat:
            flash(REPEAT_RETURNED_MESSAGE)
        return redirect(url_for("cases.view_case", case_id=case.id))
    return render_template(
        "cases/add-incident.html", form=form, case=case, rules=current_ruleset(), perpetrators=perpetrators
    )


@bp.route("/cases/<uuid:case_id>/people/<uuid:person_id>", methods=["GET", "POST"])
@allow(*REFERRING_ROLES)
def edit_person(case_id, person_id):
    case, scope = load_case_and_scope(case_id)
    person = store.person_in_case(case, str(person_id))
    if person is None or not journey.may_edit_person(current_user, scope, person):
        abort(404)
    form = PersonDetailsForm(data=journey.person_form_data(person))
    if form.validate_on_submit():
        journey.save_person_details(
            person, journey.PersonDetails(**form.person_details()), user=current_user, case=case
        )
        return redirect(url_for("cases.view_case", case_id=case.id))
    return render_template("cases/edit-person.html", form=form, case=case, person=person)
