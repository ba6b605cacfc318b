"""SECURITY D5, retention: a case last heard at a MARAC at T is kept until T + N months (the `case` rule)
and anonymised by the daily run from then on, in one transaction per case, with an `erasure` audit row; a
legal hold stops it; nothing identifying survives anywhere in the database; past quarters' data return and
dashboard figures do not change; --dry-run changes nothing; the audit chain still verifies."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import func, inspect, select, text

from access.audit import verify_chain
from access.models import AuditEvent, Notification, Role, User, UserSession
from access.retention_rules import load_rules, months_after
from access.vocabulary import SessionStage
from cases import retention as cases_retention
from cases.models import (
    BreakGlassGrant,
    Case,
    CaseParty,
    ExcludedPerson,
    Incident,
    LegalHold,
    PartyRole,
    Person,
    Referral,
    ReferralDraft,
    ReferralState,
    SafeContact,
)
from demo.cases import refer_now
from extensions import db
from meetings.models import (
    Action,
    ActionChangeKind,
    ActionStatus,
    ActionUpdate,
    AgendaItem,
    Attendance,
    AttendanceStatus,
    CaseMinutes,
    CaseOutcome,
    Meeting,
    MeetingStatus,
    ResearchReturn,
    Transfer,
)
from reports import data_return, retention
from reports.effectiveness import partnership_effectiveness
from reports.models import SubjectAccessItem, SubjectAccessRequest
from reports.quarters import quarter_containing
from reports.vocabulary import ItemDecision, ReceivedBy, RequesterKind, RequestStatus, SourceKind
from risk.imports.models import ImportBatch, ImportStatus
from risk.models import Assessment, ProfessionalJudgement
from tests.meetings.factories import seed_meeting
from tests.world import table_fingerprints

HEARD_AT = datetime(2020, 3, 4, 10, 0, tzinfo=UTC)
MONTHS = load_rules()["case"].after_months
DUE_ON = months_after(HEARD_AT.date(), MONTHS)
VICTIM = ("Zanthea", "Quillfeather", date(2003, 6, 1))  # 16 on the meeting day
PERPETRATOR = ("Morwick", "Thrane", date(2002, 5, 5))  # 17 on the meeting day
CHILD = ("Elspie", "Brackwater", date(2015, 1, 9))
POSTCODE = "ZX9 7QQ"
SAFE_PHONE = "07700 900 461"
PHRASE = "purple umbrella by the lock-keeper's cottage"
ALIAS = "Zee Quillby"


def at(day: date):
    return time_machine.travel(datetime(day.year, day.month, day.day, 12, 0, tzinfo=UTC), tick=False)


def seed_heard_case(app, starts_at=HEARD_AT, people=(VICTIM, PERPETRATOR, CHILD)) -> dict:
    """A case heard at a distributed meeting at `starts_at`, with every kind of record that names or
    describes someone, each holding the people's names or PHRASE."""
    seeded = seed_meeting(app, cases=1, starts_at=starts_at)
    with app.app_context():
        case = db.session.get(Case, seeded.case_ids[0])
        agency_id = seeded.agency_ids["Riverside Police"]
        referrer = db.session.get(User, seeded.referrer_id)
        db.session.get(Meeting, seeded.meeting_id).status = MeetingStatus.DISTRIBUTED
        referral = db.session.get(Referral, seeded.referral_ids[0])
        referral.state = ReferralState.HEARD
        referral.risk_summary = referral.victim_wants = referral.state_reason = PHRASE
        perpetrator = name_people(case, people)
        add_records_about(case, seeded, agency_id, referrer, perpetrator)
        # Referred and assessed before the hearing, as in life: the hearing is the case's last activity.
        referral.received_at = starts_at - timedelta(days=14)
        db.session.flush()
        for assessment in db.session.scalars(select(Assessment).where(Assessment.case_id == case.id)):
            assessment.assessed_on = (starts_at - timedelta(days=20)).date()
        db.session.commit()
        return {"case_id": case.id, "reference": case.reference, "item_id": seeded.item_ids[0], "agency_id": agency_id}


def name_people(case: Case, people) -> Person:
    victim, perpetrator_details, child = people
    rename(case.victim, victim)
    case.victim.aliases, case.victim.address, case.victim.postcode = [ALIAS], f"12 {PHRASE} Row", POSTCODE
    case.victim.date_of_birth_variants = [victim[2].isoformat()]
    perpetrator = child_person = None
    for party in case.parties:
        if party.role is PartyRole.PERPETRATOR:
            perpetrator = party.person
            rename(perpetrator, perpetrator_details)
            party.relationship_to_victim = f"ex-partner, {PHRASE}"
        elif party.role is PartyRole.CHILD:
            child_person = party.person
            rename(child_person, child)
    return perpetrator


def rename(person: Person, details) -> None:
    person.given_name, person.family_name, person.date_of_birth = details


def add_records_about(case: Case, seeded, agency_id: int, referrer: User, perpetrator: Person) -> None:
    assessment = db.session.scalars(select(Assessment).where(Assessment.case_id == case.id)).first()
    assessment.comments = {"q1": PHRASE}
    assessment.source_if_not_victim = PHRASE
    item_id = seeded.item_ids[0]
    action = Action(
        case_id=case.id,
        agenda_item_id=item_id,
        description=PHRASE,
        owner_agency_id=agency_id,
        owner_name="Pat Owner",
        due_on=HEARD_AT.date() + timedelta(days=14),
        status=ActionStatus.DONE,
        completion_note=PHRASE,
        completed_on=HEARD_AT.date() + timedelta(days=7),
    )
    db.session.add(action)
    db.session.flush()
    hold = LegalHold(case_id=case.id, reason=PHRASE, set_by_id=referrer.id)
    hold.lifted_reason, hold.lifted_by_id, hold.lifted_at = PHRASE, referrer.id, HEARD_AT
    db.session.add_all(
        [
            SafeContact(case_id=case.id, agency_id=agency_id, phone=SAFE_PHONE, safe_address=f"Refuge, {PHRASE}"),
            ExcludedPerson(
                case_id=case.id, name=f"{PERPETRATOR[0]}'s brother", note=PHRASE, recorded_by_id=referrer.id
            ),
            Incident(
                case_id=case.id,
                occurred_on=HEARD_AT.date() - timedelta(days=20),
                type="threats",
                reporting_agency_id=agency_id,
                reference=PHRASE,
                recorded_by_id=referrer.id,
                perpetrator_id=perpetrator.id,
            ),
            ProfessionalJudgement(case_id=case.id, tier=3, rationale=PHRASE, author_id=referrer.id),
            ReferralDraft(case_id=case.id, user_id=referrer.id, fields={"risk_summary": [PHRASE]}),
            BreakGlassGrant(case_id=case.id, user_id=referrer.id, reason=PHRASE, expires_at=HEARD_AT),
            ResearchReturn(
                agenda_item_id=item_id,
                agency_id=agency_id,
                due_at=HEARD_AT,
                known=True,
                involvement=PHRASE,
                risks=PHRASE,
                returned_at=HEARD_AT - timedelta(days=1),
            ),
            CaseMinutes(
                agenda_item_id=item_id,
                victim_views=PHRASE,
                decisions=PHRASE,
                agency_information={str(agency_id): PHRASE},
                outcome=CaseOutcome.REPEAT,
            ),
            ActionUpdate(
                action_id=action.id,
                status=ActionStatus.DONE,
                note=PHRASE,
                updated_by_id=referrer.id,
                agency_id=agency_id,
                kind=ActionChangeKind.EDIT,
                changes=[{"field": "description", "old": PHRASE, "new": PHRASE}],
                reason=PHRASE,
            ),
            Transfer(
                case_id=case.id,
                incoming=True,
                other_area="Elsewhere",
                transferred_on=HEARD_AT.date(),
                what_was_sent=PHRASE,
                recorded_by_id=referrer.id,
            ),
            hold,
        ]
    )


def run(app, *args):
    return app.test_cli_runner().invoke(args=["retention", "run", *args])


def identifying_values(people=(VICTIM, PERPETRATOR, CHILD)) -> list[str]:
    values = [POSTCODE, SAFE_PHONE, PHRASE, ALIAS]
    for given, family, born in people:
        values += [given, family, born.isoformat(), born.strftime("%d/%m/%Y")]
    return values


def everything_stored(app) -> str:
    """Every value of every row of every table, as text."""
    with app.app_context():
        rows = []
        for table in inspect(db.engine).get_table_names():
            rows += [repr(tuple(row)) for row in db.session.execute(text(f'SELECT * FROM "{table}"'))]  # noqa: S608
        db.session.rollback()
    return "\n".join(rows)


def quarter_figures(app, day: date):
    with app.app_context():
        quarter = quarter_containing(day)
        frame = data_return.quarter_return(quarter)
        agenda = data_return.agenda_per_meeting(quarter.first_day, quarter.last_day)
        effectiveness = partnership_effectiveness(agenda, quarter.first_day, quarter.last_day, date(2026, 12, 1))
        return frame.to_dict("records"), effectiveness


def erasure_rows(app, case_id: str) -> list[AuditEvent]:
    with app.app_context():
        return list(
            db.session.scalars(
                select(AuditEvent).where(AuditEvent.action == "erasure", AuditEvent.object_id == case_id)
            )
        )


def anonymised_at(app, case_id: str):
    with app.app_context():
        return db.session.get(Case, case_id).anonymised_at


def test_D5_a_case_heard_at_T_is_kept_the_day_before_T_plus_N_and_anonymised_from_then_with_an_erasure_row(app):
    seeded = seed_heard_case(app)
    with at(DUE_ON - timedelta(days=1)):
        result = run(app)
    assert result.exit_code == 0, result.output
    assert seeded["reference"] not in result.output
    assert anonymised_at(app, seeded["case_id"]) is None
    assert VICTIM[0] in everything_stored(app)

    with at(DUE_ON):
        result = run(app)
    assert result.exit_code == 0, result.output
    assert f"case {seeded['reference']}: due {DUE_ON:%-d %B %Y}, anonymised" in result.output
    assert anonymised_at(app, seeded["case_id"]) is not None
    [erasure] = erasure_rows(app, seeded["case_id"])
    assert (erasure.object_type, erasure.user_id) == ("case", None)
    for name in (VICTIM[0], VICTIM[1], PERPETRATOR[1]):
        assert name not in result.output


def test_D5_after_the_run_nothing_identifying_survives_in_any_column_of_any_table(app):
    seeded = seed_heard_case(app)
    stored = everything_stored(app)
    # The seeded values are stored as plain text where they are not sealed: the scan can find them.
    assert all(value in stored for value in (VICTIM[0], PERPETRATOR[1], CHILD[0], POSTCODE, PHRASE, ALIAS))
    with at(DUE_ON):
        assert run(app).exit_code == 0
    stored = everything_stored(app)
    survivors = [value for value in identifying_values() if value in stored]
    assert survivors == []
    with app.app_context():
        case = db.session.get(Case, seeded["case_id"])
        # The sealed columns, which the scan cannot read, are empty too.
        assert db.session.scalars(select(SafeContact).where(SafeContact.case_id == case.id)).all() == []
        assert case.victim.address is None and case.victim.date_of_birth is None
        # The rows the figures count stay.
        assert len(case.parties) == 2
        assert db.session.scalars(select(Referral).where(Referral.case_id == case.id)).one().criteria


def test_D5_past_quarters_data_return_and_dashboard_figures_are_unchanged(app):
    seed_heard_case(app)
    before = quarter_figures(app, HEARD_AT.date())
    assert before[0][0]["victims_aged_16_17"] == 1 and before[0][0]["perpetrators_aged_17_or_under"] == 1
    assert before[0][0]["children_in_households"] == 1 and before[0][0]["repeat_cases"] == 1
    with at(DUE_ON):
        assert run(app).exit_code == 0
    assert quarter_figures(app, HEARD_AT.date()) == before


def test_D5_a_legal_hold_stops_the_run_and_lifting_it_lets_the_next_run_anonymise(app, make_user):
    seeded = seed_heard_case(app)
    coordinator_id, _ = make_user(email="coordinator@example.org", role=Role.COORDINATOR)
    with app.app_context():
        case, coordinator = db.session.get(Case, seeded["case_id"]), db.session.get(User, coordinator_id)
        cases_retention.set_hold(case, "Civil claim pending", coordinator)
        db.session.commit()
    with at(DUE_ON + timedelta(days=40)):
        result = run(app)
    assert result.exit_code == 0
    assert f"case {seeded['reference']}: due {DUE_ON:%-d %B %Y}, on legal hold: left as it is" in result.output
    assert anonymised_at(app, seeded["case_id"]) is None
    assert erasure_rows(app, seeded["case_id"]) == []
    with app.app_context():
        coordinator = db.session.get(User, coordinator_id)
        cases_retention.lift_hold(cases_retention.hold_in_force(seeded["case_id"]), "Claim settled", coordinator)
        db.session.commit()
    with at(DUE_ON + timedelta(days=41)):
        assert run(app).exit_code == 0
    assert anonymised_at(app, seeded["case_id"]) is not None


def test_D5_dry_run_lists_what_is_due_and_changes_nothing(app):
    seeded = seed_heard_case(app)
    before = table_fingerprints(app)
    with app.app_context():
        audit_rows = db.session.scalar(select(db.func.count()).select_from(AuditEvent))
    with at(DUE_ON):
        result = run(app, "--dry-run")
    assert result.exit_code == 0
    assert f"case {seeded['reference']}: due {DUE_ON:%-d %B %Y}, would be anonymised" in result.output
    assert table_fingerprints(app) == before
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(AuditEvent)) == audit_rows


def test_D5_a_failure_mid_case_leaves_that_case_exactly_as_it_was_and_the_run_goes_on_and_fails(app, monkeypatch):
    failing = seed_heard_case(app)
    other = seed_heard_case(
        app,
        starts_at=HEARD_AT + timedelta(days=1),
        people=(("Other", "Victim", date(1980, 1, 1)), ("Other", "Harm", date(1979, 1, 1)), CHILD),
    )
    with app.app_context():
        failing_item = failing["item_id"]
    real = retention.cases_retention.clear_case_records

    def fail_for_one(case_id):
        real(case_id)  # part-way: the people's and meeting records of this case are already changed
        if case_id == failing["case_id"]:
            raise RuntimeError("disk full")

    monkeypatch.setattr(retention.cases_retention, "clear_case_records", fail_for_one)
    with app.app_context():
        before = case_rows(failing["case_id"], failing_item)
    with at(DUE_ON + timedelta(days=1)):
        result = run(app)
    assert result.exit_code == 1
    assert f"case {failing['reference']}: due" in result.output and "FAILED (RuntimeError)" in result.output
    assert "disk full" not in result.output
    assert anonymised_at(app, other["case_id"]) is not None
    with app.app_context():
        assert case_rows(failing["case_id"], failing_item) == before
    assert erasure_rows(app, failing["case_id"]) == []


def case_rows(case_id: str, item_id: int) -> dict:
    """Every row of the case's own, in every table that holds part of it, as stored."""
    tables = {
        "marac_case": "id",
        "case_party": "case_id",
        "referral": "case_id",
        "assessment": "case_id",
        "incident": "case_id",
        "case_safe_contact": "case_id",
        "excluded_person": "case_id",
        "marac_action": "case_id",
        "transfer": "case_id",
        "legal_hold": "case_id",
    }
    rows = {
        table: sorted(
            repr(tuple(row))
            for row in db.session.execute(text(f"SELECT * FROM {table} WHERE {column} = :id"), {"id": case_id})
        )  # noqa: S608
        for table, column in tables.items()
    }
    rows["person"] = sorted(
        repr(tuple(row))
        for row in db.session.execute(
            text(
                "SELECT * FROM person WHERE id IN (SELECT victim_id FROM marac_case WHERE id = :id) "
                "OR id IN (SELECT person_id FROM case_party WHERE case_id = :id)"
            ),
            {"id": case_id},
        )
    )
    for table in ("case_minutes", "research_return", "agenda_item"):
        column = "id" if table == "agenda_item" else "agenda_item_id"
        rows[table] = sorted(
            repr(tuple(row))
            for row in db.session.execute(text(f"SELECT * FROM {table} WHERE {column} = :id"), {"id": item_id})  # noqa: S608
        )
    db.session.rollback()
    return rows


def test_D5_the_audit_chain_verifies_after_the_run(app):
    seed_heard_case(app)
    with at(DUE_ON):
        assert run(app).exit_code == 0
    with app.app_context():
        count, broken = verify_chain()
    assert broken is None and count >= 1


def test_D5_a_person_on_another_live_case_keeps_their_name_while_the_due_case_loses_the_rest(app):
    due = seed_heard_case(app)
    live = seed_heard_case(
        app,
        starts_at=datetime(2026, 11, 4, 10, 0, tzinfo=UTC),
        people=(
            ("Live", "Victim", date(1991, 2, 2)),
            ("Someone", "Else", date(1980, 1, 1)),
            ("Live", "Child", date(2019, 1, 1)),
        ),
    )
    with app.app_context():
        perpetrator = (
            db.session.scalars(
                select(CaseParty).where(CaseParty.case_id == due["case_id"], CaseParty.role == PartyRole.PERPETRATOR)
            )
            .one()
            .person
        )
        # The same person causes harm on the live case: it still needs them.
        db.session.add(CaseParty(case_id=live["case_id"], person_id=perpetrator.id, role=PartyRole.PERPETRATOR))
        db.session.commit()
        perpetrator_id = perpetrator.id
    with at(DUE_ON):
        assert run(app).exit_code == 0
    stored = everything_stored(app)
    assert VICTIM[0] not in stored and CHILD[0] not in stored and PHRASE.split()[0] in stored  # the live case's text
    with app.app_context():
        kept = db.session.get(Person, perpetrator_id)
        assert (kept.given_name, kept.family_name, kept.date_of_birth) == PERPETRATOR
        assert db.session.get(Case, live["case_id"]).anonymised_at is None


def test_D5_old_ended_sessions_and_notifications_are_deleted_in_the_same_run(app, make_user):
    user_id, _ = make_user()
    long_ago = datetime(2024, 1, 1, tzinfo=UTC)
    with app.app_context():
        db.session.add_all(
            [
                UserSession(
                    token_hash="a" * 64,
                    user_id=user_id,
                    stage=SessionStage.COMPLETE,
                    created_at=long_ago,
                    last_seen_at=long_ago,
                    revoked_at=long_ago,
                ),
                UserSession(
                    token_hash="b" * 64,
                    user_id=user_id,
                    stage=SessionStage.COMPLETE,
                    created_at=datetime(2026, 11, 30, tzinfo=UTC),
                    last_seen_at=datetime(2026, 11, 30, tzinfo=UTC),
                ),
                Notification(user_id=user_id, message="Old", created_at=long_ago),
                Notification(user_id=user_id, message="New", created_at=datetime(2026, 11, 30, tzinfo=UTC)),
            ]
        )
        db.session.commit()
    with at(date(2026, 12, 1)):
        result = run(app)
    assert result.exit_code == 0
    assert "session: 1 deleted" in result.output and "notification: 1 deleted" in result.output
    with app.app_context():
        assert db.session.scalars(select(UserSession.token_hash)).all() == ["b" * 64]
        assert db.session.scalars(select(Notification.message)).all() == ["New"]


def closed_request(user_id: int, closed_at: datetime | None) -> SubjectAccessRequest:
    request = SubjectAccessRequest(
        requester_kind=RequesterKind.VICTIM,
        requester_name="Old Requester",
        received_by=ReceivedBy.EMAIL,
        received_on=date(2024, 1, 2),
        status=RequestStatus.CLOSED if closed_at else RequestStatus.OPEN,
        closed_at=closed_at,
        recorded_by_id=user_id,
    )
    request.items.append(
        SubjectAccessItem(source_kind=SourceKind.PERSON, source_id="p", about_requester=True, content="[]")
    )
    return request


def test_D5_subject_access_requests_closed_longer_ago_than_their_rule_are_deleted_with_their_items(app, make_user):
    user_id, _ = make_user()
    with app.app_context():
        db.session.add_all(
            [
                closed_request(user_id, datetime(2024, 11, 1, tzinfo=UTC)),  # 25 months before the run
                closed_request(user_id, datetime(2025, 1, 15, tzinfo=UTC)),  # under 24 months
                closed_request(user_id, None),  # still open
            ]
        )
        db.session.commit()
    with at(date(2026, 12, 1)):
        dry = run(app, "--dry-run")
        assert "subject-access: 1" in dry.output
        with app.app_context():
            assert db.session.scalar(select(func.count()).select_from(SubjectAccessRequest)) == 3
        result = run(app)
    assert result.exit_code == 0 and "subject-access: 1 deleted" in result.output
    with app.app_context():
        kept = db.session.scalars(select(SubjectAccessRequest.closed_at)).all()
        assert sorted(kept, key=lambda when: when or datetime.max.replace(tzinfo=UTC)) == [
            datetime(2025, 1, 15, tzinfo=UTC),
            None,
        ]
        assert db.session.scalar(select(func.count()).select_from(SubjectAccessItem)) == 2


@pytest.mark.parametrize("months", [1, 12])
def test_D5_months_after_keeps_the_day_or_the_months_last_day(months):
    assert months_after(date(2020, 1, 31), months) == {1: date(2020, 2, 29), 12: date(2021, 1, 31)}[months]


# The pages


def test_D5_the_review_page_shows_what_is_due_now_and_next_month_with_holds_and_unverified_rules(
    app, client, sign_in_as, url
):
    due = seed_heard_case(app)
    soon = seed_heard_case(
        app,
        starts_at=HEARD_AT + timedelta(days=20),
        people=(("Soon", "Victim", date(1980, 1, 1)), ("Soon", "Harm", date(1979, 1, 1)), CHILD),
    )
    with at(DUE_ON + timedelta(days=2)):
        coordinator_id = sign_in_as(Role.COORDINATOR)
        with app.app_context():
            coordinator = db.session.get(User, coordinator_id)
            cases_retention.set_hold(db.session.get(Case, due["case_id"]), "Inquest opened", coordinator)
            db.session.commit()
        page = client.get(url("reports.review_retention")).get_data(as_text=True)
    due_now, _, rest = page.partition('id="due-next-month"')
    assert due["reference"] in due_now and "Inquest opened" in due_now and "Lift the hold" in due_now
    assert soon["reference"] in rest.partition('id="rules"')[0]
    assert f"{months_after(HEARD_AT.date() + timedelta(days=20), MONTHS):%-d %B %Y}" in rest
    assert "Nothing is anonymised from this page" in page
    assert "Unverified default: to be confirmed by your DPO" in page
    assert VICTIM[0] not in page and "Soon" not in page
    with app.app_context():
        listed = db.session.scalars(select(AuditEvent.object_id).where(AuditEvent.action == "case-listed")).all()
    assert set(listed) == {due["case_id"], soon["case_id"]}


@pytest.mark.parametrize("role", [Role.PRACTITIONER, Role.CHAIR, Role.ADMIN, Role.AGENCY_REP])
def test_D5_only_the_coordinator_opens_the_review_page_or_sets_a_hold(app, client, sign_in_as, url, role):
    seeded = seed_heard_case(app)
    sign_in_as(role)
    assert client.get(url("reports.review_retention")).status_code in (403, 404)
    response = client.post(url("cases.set_legal_hold", case_id=seeded["case_id"]), data={"reason": "No"})
    assert response.status_code in (403, 404)
    with app.app_context():
        assert cases_retention.hold_in_force(seeded["case_id"]) is None


def test_D5_the_coordinator_sets_and_lifts_a_hold_with_a_reason_audited_without_it(app, client, sign_in_as, url):
    seeded = seed_heard_case(app)
    sign_in_as(Role.COORDINATOR)
    hold_url = url("cases.set_legal_hold", case_id=seeded["case_id"])
    refused = client.post(hold_url, data={"reason": "   "})
    assert refused.status_code == 200 and "Enter the reason" in refused.get_data(as_text=True)
    with app.app_context():
        assert cases_retention.hold_in_force(seeded["case_id"]) is None
    assert client.post(hold_url, data={"reason": "Civil claim"}).status_code == 302
    case_page = client.get(url("cases.view_case", case_id=seeded["case_id"])).get_data(as_text=True)
    assert "Legal hold" in case_page and "Civil claim" in case_page and "it will not be anonymised" in case_page
    lift_url = url("cases.lift_legal_hold", case_id=seeded["case_id"])
    assert "cannot be brought back" in client.get(lift_url).get_data(as_text=True)
    assert "Enter the reason" in client.post(lift_url, data={"reason": ""}).get_data(as_text=True)
    with app.app_context():
        assert cases_retention.hold_in_force(seeded["case_id"]) is not None
    assert client.post(lift_url, data={"reason": "Claim settled"}).status_code == 302
    with app.app_context():
        hold = db.session.scalars(select(LegalHold).where(LegalHold.reason == "Civil claim")).one()
        assert (hold.lifted_reason, hold.lifted_at is not None) == ("Claim settled", True)
        events = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action.in_(["legal-hold-set", "legal-hold-lifted"]))
        ).all()
    assert [(event.action, event.object_id) for event in events] == [
        ("legal-hold-set", seeded["case_id"]),
        ("legal-hold-lifted", seeded["case_id"]),
    ]


def test_D5_the_case_page_shows_the_due_date_and_once_anonymised_says_so(app, client, sign_in_as, url):
    seeded = seed_heard_case(app)
    sign_in_as(Role.COORDINATOR)
    case_url = url("cases.view_case", case_id=seeded["case_id"])
    page = client.get(case_url).get_data(as_text=True)
    assert f"{DUE_ON:%-d %B %Y}, then anonymised (it was last heard at a MARAC on 4 March 2020)" in page
    assert "unverified default" in page
    with at(DUE_ON):
        assert run(app).exit_code == 0
    response = client.get(case_url)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "This case was anonymised on" in page
    with app.app_context():
        viewed = db.session.scalars(
            select(AuditEvent.object_id).where(AuditEvent.action == "case-viewed").order_by(AuditEvent.id.desc())
        ).first()
    assert viewed == seeded["case_id"]


def test_D5_a_hold_set_after_the_run_began_still_stops_that_case(app, make_user, monkeypatch):
    seeded = seed_heard_case(app)
    coordinator_id, _ = make_user(email="coordinator@example.org", role=Role.COORDINATOR)
    with app.app_context(), at(DUE_ON):
        schedule_when_the_run_began = retention.case_schedule()
        cases_retention.set_hold(
            db.session.get(Case, seeded["case_id"]), "Inquest opened", db.session.get(User, coordinator_id)
        )
        db.session.commit()
    monkeypatch.setattr(retention, "case_schedule", lambda: schedule_when_the_run_began)
    with at(DUE_ON):
        result = run(app)
    assert result.exit_code == 0
    assert "not anonymised: put on legal hold or anonymised since the run began" in result.output
    assert anonymised_at(app, seeded["case_id"]) is None


def test_D5_a_person_shared_with_a_case_held_after_the_run_began_keeps_every_detail(app, make_user, monkeypatch):
    """Two due cases name the same man; the first is put on hold once the run has begun. Anonymising the
    second must not take his details, which the held case still needs."""
    held = seed_heard_case(app)
    other = seed_heard_case(
        app,
        starts_at=HEARD_AT + timedelta(days=1),
        people=(("Other", "Victim", date(1980, 1, 1)), ("Other", "Harm", date(1979, 1, 1)), CHILD),
    )
    coordinator_id, _ = make_user(email="coordinator@example.org", role=Role.COORDINATOR)
    with app.app_context(), at(DUE_ON + timedelta(days=1)):
        perpetrator = (
            db.session.scalars(
                select(CaseParty).where(CaseParty.case_id == held["case_id"], CaseParty.role == PartyRole.PERPETRATOR)
            )
            .one()
            .person
        )
        db.session.add(CaseParty(case_id=other["case_id"], person_id=perpetrator.id, role=PartyRole.PERPETRATOR))
        db.session.commit()
        perpetrator_id = perpetrator.id
        schedule_when_the_run_began = retention.case_schedule()
        cases_retention.set_hold(
            db.session.get(Case, held["case_id"]), "Inquest opened", db.session.get(User, coordinator_id)
        )
        db.session.commit()
    monkeypatch.setattr(retention, "case_schedule", lambda: schedule_when_the_run_began)
    with at(DUE_ON + timedelta(days=1)):
        assert run(app).exit_code == 0
    assert anonymised_at(app, held["case_id"]) is None and anonymised_at(app, other["case_id"]) is not None
    with app.app_context():
        kept = db.session.get(Person, perpetrator_id)
        assert (kept.given_name, kept.family_name, kept.date_of_birth) == PERPETRATOR


def test_D5_a_case_heard_long_ago_and_referred_again_since_counts_from_the_new_referral(app):
    """Heard six years ago, referred again last month: the new referral still needs the case."""
    seeded = seed_heard_case(app)
    referred_again = DUE_ON - timedelta(days=30)
    with app.app_context():
        case = db.session.get(Case, seeded["case_id"])
        referrer = db.session.scalars(select(Referral).where(Referral.case_id == case.id)).first().referrer
        referral = refer_now(
            case, referrer, referred_again, "Riverside", ReferralState.RECEIVED, received=referred_again
        )
        referral.idempotency_key = "referred-again"
        db.session.commit()
    with at(DUE_ON + timedelta(days=1)):
        result = run(app)
    assert result.exit_code == 0
    assert anonymised_at(app, seeded["case_id"]) is None
    with app.app_context(), at(DUE_ON):
        (entry,) = [each for each in retention.case_schedule() if each.case_id == seeded["case_id"]]
    assert entry.counted_from == referred_again and entry.due_on == months_after(referred_again, MONTHS)


def test_D5_subject_access_items_copied_from_an_anonymised_case_lose_their_content_and_keep_the_decision(
    app, make_user
):
    seeded = seed_heard_case(app)
    user_id, _ = make_user()
    with app.app_context():
        request = closed_request(user_id, None)
        request.items[0].case_id = seeded["case_id"]
        request.items[0].content = f'[["Name", "{VICTIM[0]} {VICTIM[1]}"]]'
        request.items[0].redacted_text = f"{PHRASE} [redacted]"
        db.session.add(request)
        db.session.commit()
    with at(DUE_ON):
        assert run(app).exit_code == 0
    with app.app_context():
        item = db.session.scalars(select(SubjectAccessItem)).one()
        assert (item.content, item.redacted_text, item.decision) == ("[]", None, ItemDecision.TO_REVIEW)


def test_D5_a_person_no_case_names_any_more_is_anonymised_once_older_than_the_case_rule(app, make_user):
    """A victim typed on a case that the coordinator then linked to someone already known is named by no
    case: no case's anonymising would ever reach her."""
    user_id, _ = make_user()
    with app.app_context():
        agency_id = db.session.get(User, user_id).agency_id
        old = Person(given_name="Orphelia", family_name="Unlinked", created_by_agency_id=agency_id, postcode="RV9 9ZZ")
        old.created_at = HEARD_AT
        recent = Person(given_name="Recent", family_name="Unlinked", created_by_agency_id=agency_id)
        db.session.add_all([old, recent])
        db.session.commit()
        old_id, recent_id = old.id, recent.id
    with at(DUE_ON + timedelta(days=1)):
        dry = run(app, "--dry-run")
        result = run(app)
    assert "people on no case: 1 to anonymise" in dry.output
    assert result.exit_code == 0 and "people on no case: 1 anonymised" in result.output
    with app.app_context():
        assert (db.session.get(Person, old_id).given_name, db.session.get(Person, old_id).postcode) == ("", None)
        assert db.session.get(Person, recent_id).given_name == "Recent"


def test_D5_names_on_old_meeting_registers_are_cleared_and_who_came_from_which_agency_stays(app):
    old = seed_heard_case(app)
    recent = seed_heard_case(
        app,
        starts_at=datetime(2026, 11, 4, 10, 0, tzinfo=UTC),
        people=(("Other", "Victim", date(1980, 1, 1)), ("Other", "Harm", date(1979, 1, 1)), CHILD),
    )
    with app.app_context():
        meetings = {
            key: db.session.get(AgendaItem, seeded["item_id"]).meeting_id
            for key, seeded in (("old", old), ("recent", recent))
        }
        for key, meeting_id in meetings.items():
            db.session.add(
                Attendance(
                    meeting_id=meeting_id,
                    agency_id=old["agency_id"],
                    attendee_name=f"Pat {key.title()}",
                    status=AttendanceStatus.PRESENT,
                )
            )
        db.session.commit()
    with at(DUE_ON + timedelta(days=1)):
        result = run(app)
    assert result.exit_code == 0 and "meeting-register: 1 names cleared" in result.output
    with app.app_context():
        rows = {row.meeting_id: row for row in db.session.scalars(select(Attendance))}
        assert rows[meetings["old"]].attendee_name == "" and rows[meetings["old"]].status is AttendanceStatus.PRESENT
        assert rows[meetings["recent"]].attendee_name == "Pat Recent"


def test_D5_a_finished_upload_file_name_is_cleared_once_older_than_the_import_rule(app, make_user):
    user_id, _ = make_user()
    with app.app_context():
        agency_id = db.session.get(User, user_id).agency_id
        for name, uploaded_at, status in (
            ("Beth Harlow DASH.csv", datetime(2025, 10, 1, tzinfo=UTC), ImportStatus.IMPORTED),  # 14 months ago
            ("staged.csv", datetime(2025, 10, 1, tzinfo=UTC), ImportStatus.STAGED),  # its file still waits
            ("november.csv", datetime(2026, 11, 1, tzinfo=UTC), ImportStatus.IMPORTED),
        ):
            db.session.add(
                ImportBatch(
                    agency_id=agency_id,
                    tool_id="dash-ric",
                    filename_shown=name,
                    mapping={},
                    uploaded_by_id=user_id,
                    uploaded_at=uploaded_at,
                    status=status,
                )
            )
        db.session.commit()
    with at(date(2026, 12, 1)):
        dry = run(app, "--dry-run")
        result = run(app)
    assert "import: 1 names to clear" in dry.output
    assert result.exit_code == 0 and "import: 1 names cleared" in result.output
    with app.app_context():
        assert sorted(db.session.scalars(select(ImportBatch.filename_shown))) == ["", "november.csv", "staged.csv"]


def never_heard(app, seeded) -> None:
    with app.app_context():
        db.session.get(AgendaItem, seeded["item_id"]).not_heard_at = HEARD_AT + timedelta(hours=2)
        db.session.commit()


def meeting_not_held(app, seeded) -> None:
    with app.app_context():
        db.session.get(AgendaItem, seeded["item_id"]).meeting.status = MeetingStatus.LIST_ISSUED
        db.session.commit()


def assessed_after_the_hearing(app, seeded) -> None:
    with app.app_context():
        assessment = db.session.scalars(select(Assessment).where(Assessment.case_id == seeded["case_id"])).first()
        assessment.assessed_on = (HEARD_AT + timedelta(days=40)).date()
        db.session.commit()


def referred_again_after_the_hearing(app, seeded) -> None:
    with app.app_context():
        case = db.session.get(Case, seeded["case_id"])
        referrer = db.session.scalars(select(Referral).where(Referral.case_id == case.id)).first().referrer
        again = HEARD_AT + timedelta(days=90)
        referral = refer_now(case, referrer, again.date(), "Riverside", ReferralState.RECEIVED, received=again)
        referral.idempotency_key = "referred-again"
        db.session.commit()


@pytest.mark.parametrize(
    "change", [None, never_heard, meeting_not_held, assessed_after_the_hearing, referred_again_after_the_hearing]
)
def test_D5_the_case_page_gives_the_due_date_and_reason_the_review_gives(app, client, sign_in_as, url, change):
    """Issue 20: the case page works its date out from the rows it has read for its history; the review and
    the daily run from their own queries. Both must give the same day, for the same reason."""
    seeded = seed_heard_case(app)
    if change:
        change(app, seeded)
    sign_in_as(Role.COORDINATOR)

    page = client.get(url("cases.view_case", case_id=seeded["case_id"])).get_data(as_text=True)

    with app.app_context():
        (entry,) = [each for each in retention.case_schedule() if each.case_id == seeded["case_id"]]
    since = (
        f"it was last heard at a MARAC on {entry.last_heard:%-d %B %Y}"
        if entry.last_heard
        else f"its last referral or assessment on {entry.counted_from:%-d %B %Y}"
    )
    assert f"{entry.due_on:%-d %B %Y}, then anonymised ({since})" in page
    assert (entry.last_heard is None) == (change in (never_heard, meeting_not_held))
