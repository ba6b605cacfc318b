"""Repeat incidents send a case back to the queue, and the repeat watch list."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from access.models import AuditEvent, Role
from cases import store as cases_store
from cases.models import Case, PartyRole, Referral, ReferralState
from extensions import db
from meetings import watch
from risk import store as risk_store
from tests.meetings.factories import seed_meeting

TODAY = date.today()
REFERRER_AGENCY = "Riverside IDVA Service"


def as_form_date(day: date) -> list[str]:
    return [str(day.day), str(day.month), str(day.year)]


def received_on(day: date) -> datetime:
    return datetime.combine(day, time(12, 0), tzinfo=UTC)


def set_referral(app, referral_id, *, state, days_ago):
    with app.app_context():
        referral = db.session.get(Referral, referral_id)
        referral.state, referral.received_at = state, received_on(TODAY - timedelta(days=days_ago))
        db.session.commit()


def heard_case(app, days_ago=100, state=ReferralState.HEARD):
    seeded = seed_meeting(app, cases=1)
    set_referral(app, seeded.referral_ids[0], state=state, days_ago=days_ago)
    return seeded


def add_incident(client, case_id, day=TODAY, agency_id=None, perpetrator_id=None):
    return client.post(
        client.url("cases.add_incident", case_id=case_id),
        data={"occurred_on": as_form_date(day), "type": "unwanted-contact", "agency_id": str(agency_id)}
        | ({"perpetrator_id": perpetrator_id} if perpetrator_id else {}),
        follow_redirects=True,
    )


def perpetrator_of(app, case_id) -> str:
    with app.app_context():
        return next(iter(cases_store.perpetrator_ids(cases_store.get_case_by_id(case_id))))


def referrals_of(app, case_id) -> list[Referral]:
    with app.app_context():
        referrals = list(
            db.session.scalars(select(Referral).where(Referral.case_id == case_id).order_by(Referral.received_at))
        )
        for referral in referrals:
            db.session.expunge(referral)
        return referrals


def audit_count(app, action: str) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == action))


def test_a_new_incident_within_12_months_of_a_marac_referral_returns_the_case_as_a_repeat(app, client, sign_in_as):
    seeded = heard_case(app, days_ago=100)
    sign_in_as(Role.PRACTITIONER, agency=REFERRER_AGENCY)

    response = add_incident(client, seeded.case_ids[0], agency_id=seeded.agency_ids["Riverside Police"])

    assert response.status_code == 200
    assert "gone back to the MARAC queue as a repeat" in response.get_data(as_text=True)
    earlier, repeat = referrals_of(app, seeded.case_ids[0])
    assert earlier.state is ReferralState.HEARD
    assert repeat.state is ReferralState.RECEIVED
    assert "repeat" in repeat.criteria
    assert repeat.victim_informed is False and repeat.consent_given is False
    assert "automatically as a repeat" in repeat.no_consent_reason
    assert "whatever the risk level" in repeat.state_reason
    assert repeat.idempotency_key.startswith("repeat-incident-")
    assert audit_count(app, "referral-returned-as-repeat") == 1
    with app.app_context():
        assert db.session.get(Case, seeded.case_ids[0]).repeat_watch_ends == TODAY + timedelta(days=365)
        assert "repeat" in risk_store.get_decision(repeat.decision_id).criteria


def test_an_incident_by_the_perpetrator_named_on_the_referral_is_a_repeat_with_no_check_asked(app, client, sign_in_as):
    seeded = heard_case(app, days_ago=100)
    sign_in_as(Role.PRACTITIONER, agency=REFERRER_AGENCY)
    case_id = seeded.case_ids[0]

    page = add_incident(
        client, case_id, agency_id=seeded.agency_ids["Riverside Police"], perpetrator_id=perpetrator_of(app, case_id)
    ).get_data(as_text=True)

    assert len(referrals_of(app, case_id)) == 2
    assert "check it was the same perpetrator" not in page


def test_an_incident_by_someone_not_named_on_the_referral_is_not_a_repeat(app, client, sign_in_as):
    seeded = heard_case(app, days_ago=100)
    sign_in_as(Role.PRACTITIONER, agency=REFERRER_AGENCY)
    case_id = seeded.case_ids[0]
    client.post(
        client.url("cases.add_party", case_id=case_id),
        data={"given_name": "New", "family_name": "Partner", "role": "perpetrator"},
    )
    with app.app_context():
        newcomer = next(
            person.id
            for person in cases_store.perpetrators(cases_store.get_case_by_id(case_id))
            if person.given_name == "New"
        )

    page = add_incident(
        client, case_id, agency_id=seeded.agency_ids["Riverside Police"], perpetrator_id=newcomer
    ).get_data(as_text=True)

    assert len(referrals_of(app, case_id)) == 1
    assert "not named on the last MARAC referral" in page
    with app.app_context():
        (incident,) = cases_store.list_incidents(cases_store.get_case_by_id(case_id))
        assert incident.perpetrator_id == newcomer


def test_the_incident_form_asks_who_caused_harm_and_offers_the_cases_perpetrators(app, client, sign_in_as):
    seeded = heard_case(app, days_ago=100)
    sign_in_as(Role.PRACTITIONER, agency=REFERRER_AGENCY)

    page = client.get(client.url("cases.add_incident", case_id=seeded.case_ids[0])).get_data(as_text=True)

    assert "Who caused harm" in page
    assert f'value="{perpetrator_of(app, seeded.case_ids[0])}" checked' in page
    assert 'value="not-known"' in page


@pytest.mark.parametrize(
    "days_before_incident, returned",
    [(0, False), (1, True), (364, True), (365, True), (366, False)],
)
def test_the_window_runs_365_days_from_the_last_marac_referral(app, client, sign_in_as, days_before_incident, returned):
    seeded = heard_case(app, days_ago=days_before_incident + 5)
    sign_in_as(Role.PRACTITIONER, agency=REFERRER_AGENCY)

    page = add_incident(
        client, seeded.case_ids[0], day=TODAY - timedelta(days=5), agency_id=seeded.agency_ids["Riverside Police"]
    ).get_data(as_text=True)

    assert len(referrals_of(app, seeded.case_ids[0])) == (2 if returned else 1)
    assert ("gone back to the MARAC queue" in page) is returned


@pytest.mark.parametrize("state", [ReferralState.DECLINED, ReferralState.WITHDRAWN])
def test_a_referral_never_taken_to_marac_does_not_make_a_repeat(app, client, sign_in_as, state):
    seeded = heard_case(app, days_ago=30, state=state)
    sign_in_as(Role.PRACTITIONER, agency=REFERRER_AGENCY)

    add_incident(client, seeded.case_ids[0], agency_id=seeded.agency_ids["Riverside Police"])

    assert len(referrals_of(app, seeded.case_ids[0])) == 1
    assert audit_count(app, "referral-returned-as-repeat") == 0


def test_an_open_referral_means_no_second_one(app, client, sign_in_as):
    seeded = heard_case(app, days_ago=30, state=ReferralState.SCHEDULED)
    sign_in_as(Role.PRACTITIONER, agency=REFERRER_AGENCY)

    page = add_incident(client, seeded.case_ids[0], agency_id=seeded.agency_ids["Riverside Police"]).get_data(
        as_text=True
    )

    assert len(referrals_of(app, seeded.case_ids[0])) == 1
    assert "gone back to the MARAC queue" not in page


def test_a_second_incident_does_not_duplicate_the_repeat_referral(app, client, sign_in_as):
    seeded = heard_case(app, days_ago=60)
    sign_in_as(Role.PRACTITIONER, agency=REFERRER_AGENCY)

    add_incident(
        client, seeded.case_ids[0], day=TODAY - timedelta(days=2), agency_id=seeded.agency_ids["Riverside Police"]
    )
    add_incident(client, seeded.case_ids[0], agency_id=seeded.agency_ids["Riverside Housing"])

    assert [referral.state for referral in referrals_of(app, seeded.case_ids[0])] == [
        ReferralState.HEARD,
        ReferralState.RECEIVED,
    ]


def second_case_for_same_people(app, case_id) -> str:
    with app.app_context():
        first = db.session.get(Case, case_id)
        perpetrator = next(party.person for party in first.parties if party.role is PartyRole.PERPETRATOR)
        second = cases_store.create_case(
            victim=first.victim, marac_area="Riverside", agency_id=first.created_by_agency_id
        )
        cases_store.add_party(second, perpetrator, PartyRole.PERPETRATOR)
        db.session.commit()
        return second.id


def test_a_referral_on_another_case_of_the_same_victim_and_perpetrator_counts(app, client, sign_in_as):
    seeded = heard_case(app, days_ago=90)
    second = second_case_for_same_people(app, seeded.case_ids[0])
    sign_in_as(Role.PRACTITIONER, agency=REFERRER_AGENCY)

    add_incident(client, second, agency_id=seeded.agency_ids["Riverside Police"])

    [repeat] = referrals_of(app, second)
    assert repeat.state is ReferralState.RECEIVED and "repeat" in repeat.criteria


def test_the_repeat_appears_in_the_coordinators_queue(app, client, sign_in_as):
    seeded = heard_case(app, days_ago=90)
    sign_in_as(Role.PRACTITIONER, agency=REFERRER_AGENCY)
    add_incident(client, seeded.case_ids[0], agency_id=seeded.agency_ids["Riverside Police"])
    sign_in_as(Role.COORDINATOR, email="coord@example.org")

    page = client.get(client.url("meetings.list_referrals")).get_data(as_text=True)

    assert "Repeat</strong>" in page


def set_watch_ends(app, case_ids, ends: list[date | None]):
    with app.app_context():
        for case_id, day in zip(case_ids, ends, strict=True):
            db.session.get(Case, case_id).repeat_watch_ends = day
        db.session.commit()


def test_the_watch_list_shows_watched_cases_soonest_first_with_initials_not_names(app, client, sign_in_as):
    seeded = seed_meeting(app, cases=3)
    set_watch_ends(app, seeded.case_ids, [TODAY + timedelta(days=200), TODAY, TODAY - timedelta(days=40)])
    sign_in_as(Role.COORDINATOR)

    response = client.get(client.url("meetings.list_repeat_watch"))

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "2 cases, the watch ending soonest first" in page
    assert page.index(f"/cases/{seeded.case_ids[1]}") < page.index(f"/cases/{seeded.case_ids[0]}")
    assert f"/cases/{seeded.case_ids[2]}" not in page
    assert ">VC<" in page
    assert "Victim1" not in page and "Perpetrator1" not in page
    assert REFERRER_AGENCY in page
    assert (TODAY + timedelta(days=200)).strftime("%-d %b %Y") in page


def test_the_watch_list_says_so_when_nothing_is_watched_or_lapsed(client, sign_in_as):
    sign_in_as(Role.CHAIR)

    page = client.get(client.url("meetings.list_repeat_watch")).get_data(as_text=True)

    assert "No cases are under watch" in page
    assert "No watch has lapsed so far this month" in page


@pytest.mark.parametrize("role", [Role.PRACTITIONER, Role.AGENCY_REP, Role.ADMIN])
def test_only_the_coordinator_and_chair_see_the_watch_list(client, sign_in_as, role):
    sign_in_as(role)

    assert client.get(client.url("meetings.list_repeat_watch")).status_code == 403


def test_a_watch_that_ended_earlier_this_month_is_listed_as_lapsed(app, client, sign_in_as):
    seeded = seed_meeting(app, cases=2)
    first_of_month = TODAY.replace(day=1)
    set_watch_ends(app, seeded.case_ids, [first_of_month, first_of_month - timedelta(days=1)])
    sign_in_as(Role.COORDINATOR)

    page = client.get(client.url("meetings.list_repeat_watch")).get_data(as_text=True)

    lapsed_section = page[page.index("Watch lapsed this month") :]
    assert f"/cases/{seeded.case_ids[1]}" not in page
    if TODAY.day == 1:
        assert f"/cases/{seeded.case_ids[0]}" not in lapsed_section
    else:
        assert f"/cases/{seeded.case_ids[0]}" in lapsed_section
        assert "Tell partner agencies" in lapsed_section


@pytest.mark.parametrize(
    "today, listed",
    [
        (date(TODAY.year, 3, 1), []),
        (date(TODAY.year, 3, 2), ["first"]),
        (date(TODAY.year, 3, 31), ["first", "mid", "day-before"]),
    ],
)
def test_lapsed_this_month_runs_from_the_first_of_the_month_to_yesterday(app, today, listed):
    seeded = seed_meeting(app, cases=5)
    ends = {
        "last-month": date(TODAY.year, 2, 28),
        "first": date(TODAY.year, 3, 1),
        "mid": date(TODAY.year, 3, 15),
        "day-before": date(TODAY.year, 3, 30),
        "today": today,
    }
    set_watch_ends(app, seeded.case_ids, list(ends.values()))
    labels = dict(zip(seeded.case_ids, ends, strict=True))

    with app.app_context():
        rows = watch.lapsed_this_month(today)

    assert [labels[row.case_id] for row in rows] == listed
    assert all(row.referring_agency == REFERRER_AGENCY and row.initials == "VC" for row in rows)
