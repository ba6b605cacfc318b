"""The distribution check: a meeting's document recipients against its cases' exclusion lists, and
the coordinator's decision on each near match."""

import html
import logging
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from access.models import AuditEvent, Role, User
from cases.models import ClearanceDecision, DistributionClearance, ExcludedPerson
from extensions import db
from meetings.models import Action, Meeting
from reports import distribution, documents
from tests.conftest import give_session
from tests.meetings.factories import MEETING_START, seed_meeting

POLICE, HEALTH, HOUSING, IDVA = (
    "Riverside Police",
    "Riverside Hospitals NHS Trust",
    "Riverside Housing",
    "Riverside IDVA Service",
)


@pytest.fixture
def seeded(app, make_user):
    """Two cases on a meeting inviting the police and the hospital. Case 1 excludes "John SMITH" (a
    police representative is "Jon Smith") and "Karen Jones"; case 2 excludes no one."""
    seeded = seed_meeting(app, cases=2, invited=(POLICE, HEALTH))
    people = {
        "near": make_user(email="jon.smith@example.org", role=Role.AGENCY_REP, agency=POLICE, name="Jon Smith")[0],
        "unrelated": make_user(email="alice@example.org", role=Role.AGENCY_REP, agency=HEALTH, name="Alice Brown")[0],
        "coordinator": make_user(
            email="coordinator@example.org", role=Role.COORDINATOR, agency=IDVA, name="Cora Ordinator"
        )[0],
        "chair": make_user(email="chair@example.org", role=Role.CHAIR, agency=POLICE, name="Chris Chair")[0],
        "uninvited rep": make_user(
            email="other.smith@example.org", role=Role.AGENCY_REP, agency=HOUSING, name="John Smith"
        )[0],
        "inactive rep": make_user(
            email="gone@example.org", role=Role.AGENCY_REP, agency=POLICE, name="Karen Jones", active=False
        )[0],
    }
    with app.app_context():
        first = ExcludedPerson(
            case_id=seeded.case_ids[0],
            name="John SMITH",
            note="perpetrator's brother, police",
            recorded_by_id=seeded.referrer_id,
        )
        second = ExcludedPerson(
            case_id=seeded.case_ids[0], name="Karen Jones", note=None, recorded_by_id=seeded.referrer_id
        )
        db.session.add_all([first, second])
        db.session.commit()
        excluded = {"john": first.id, "karen": second.id}
    return seeded, people, excluded


def found(app, meeting_id) -> list[tuple[str, int, int]]:
    with app.app_context():
        return [
            (match.case.id, match.excluded.id, match.recipient.id)
            for match in distribution.matches_for(db.session.get(Meeting, meeting_id))
        ]


def reason(app, meeting_id, user_id) -> str | None:
    with app.app_context():
        return distribution.withheld_reason(db.session.get(Meeting, meeting_id), db.session.get(User, user_id))


def decide(app, meeting_id, excluded_id, user_id, decision, by) -> None:
    with app.test_request_context():
        meeting = db.session.get(Meeting, meeting_id)
        match = distribution.find_match(meeting, excluded_id, user_id)
        assert distribution.decide(meeting, match, decision, by=db.session.get(User, by))
        db.session.commit()  # as the request's end would


def rows(app, model, *where) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_a_near_match_with_a_recipient_is_found_and_unrelated_or_non_recipients_are_not(app, seeded):
    meeting, people, excluded = seeded

    assert found(app, meeting.meeting_id) == [(meeting.case_ids[0], excluded["john"], people["near"])]


def test_the_meeting_chair_and_practitioners_of_agencies_owning_actions_are_recipients(app, seeded, make_user):
    meeting, people, excluded = seeded
    housing_chair = make_user(email="k.jones@example.org", role=Role.CHAIR, agency=HOUSING, name="K Jones")[0]
    housing_worker = make_user(email="karen@example.org", role=Role.PRACTITIONER, agency=HOUSING, name="Karen Jonas")[0]
    idva_worker = make_user(email="karen.j@example.org", role=Role.PRACTITIONER, agency=IDVA, name="Karen Jones")[0]
    assert found(app, meeting.meeting_id) == [(meeting.case_ids[0], excluded["john"], people["near"])]

    with app.app_context():
        db.session.get(Meeting, meeting.meeting_id).chair_id = housing_chair
        agencies = meeting.agency_ids
        db.session.add(
            Action(
                case_id=meeting.case_ids[1],
                agenda_item_id=meeting.item_ids[1],
                description="Check tenancy",
                owner_agency_id=agencies[HOUSING],
                owner_name="Housing officer",
                due_on=date(2026, 12, 20),
            )
        )
        db.session.commit()

    assert sorted(found(app, meeting.meeting_id)) == sorted(
        [
            (meeting.case_ids[0], excluded["john"], people["near"]),
            (meeting.case_ids[0], excluded["karen"], housing_chair),
            (meeting.case_ids[0], excluded["karen"], housing_worker),
        ]
    )
    assert idva_worker not in [user_id for _, _, user_id in found(app, meeting.meeting_id)]


def test_while_a_match_is_undecided_everyone_but_the_coordinator_is_held_back(app, seeded):
    meeting, people, _ = seeded

    assert reason(app, meeting.meeting_id, people["unrelated"]) == distribution.HELD_BACK
    assert reason(app, meeting.meeting_id, people["near"]) == distribution.HELD_BACK
    assert reason(app, meeting.meeting_id, people["uninvited rep"]) == distribution.HELD_BACK
    assert reason(app, meeting.meeting_id, people["coordinator"]) is None
    with app.app_context():
        assert distribution.withheld_reason(db.session.get(Meeting, meeting.meeting_id), None) == distribution.HELD_BACK


def test_after_release_nobody_is_held_back(app, seeded):
    meeting, people, excluded = seeded

    decide(
        app, meeting.meeting_id, excluded["john"], people["near"], ClearanceDecision.RELEASE, by=people["coordinator"]
    )

    assert found(app, meeting.meeting_id) == []
    assert {who: reason(app, meeting.meeting_id, user_id) for who, user_id in people.items()} == dict.fromkeys(
        people, None
    )


def test_after_withholding_nobody_is_held_back_from_the_meeting_only_the_case_is_left_out(app, seeded):
    """Issue 18: withholding applies to the excluded case only (tests/reports/test_withholding.py opens the copies)."""
    meeting, people, excluded = seeded
    other_meeting = seed_meeting(app, cases=1, invited=(POLICE,), starts_at=meeting_start(days=14))

    decide(
        app, meeting.meeting_id, excluded["john"], people["near"], ClearanceDecision.WITHHOLD, by=people["coordinator"]
    )

    assert reason(app, meeting.meeting_id, people["near"]) is None
    with app.app_context():
        near = db.session.get(User, people["near"])
        assert documents.cases_left_out(near, meeting.case_ids) == {meeting.case_ids[0]}
    assert reason(app, meeting.meeting_id, people["unrelated"]) is None
    assert reason(app, meeting.meeting_id, people["coordinator"]) is None
    assert reason(app, other_meeting.meeting_id, people["near"]) is None


def meeting_start(days: int):
    return MEETING_START + timedelta(days=days)


def test_checks_needed_lists_only_meetings_with_undecided_matches(app, seeded):
    meeting, people, excluded = seeded
    seed_meeting(app, cases=1, invited=(POLICE,), starts_at=meeting_start(days=14))

    with app.app_context():
        needed = [
            (checked.id, [match.recipient.id for match in matches]) for checked, matches in distribution.checks_needed()
        ]
    assert needed == [(meeting.meeting_id, [people["near"]])]

    decide(
        app, meeting.meeting_id, excluded["john"], people["near"], ClearanceDecision.RELEASE, by=people["coordinator"]
    )

    with app.app_context():
        assert distribution.checks_needed() == []


# The coordinator's page


def sign_in(app, client, user_id):
    give_session(app, client, user_id)


def check_url(client, meeting):
    return client.url("reports.view_distribution_check", meeting_id=meeting.meeting_id)


def decide_url(client, meeting, excluded_id, user_id):
    return client.url(
        "reports.decide_distribution_match",
        meeting_id=meeting.meeting_id,
        excluded_person_id=excluded_id,
        user_id=user_id,
    )


def test_the_coordinator_sees_each_match_with_the_case_initials_only_and_views_are_recorded(
    app, client, seeded, caplog
):
    meeting, people, _ = seeded
    sign_in(app, client, people["coordinator"])
    caplog.set_level(logging.INFO, logger="marac")

    response = client.get(check_url(client, meeting))

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Distribution is stopped" in page
    assert "VC, MARAC 2 Dec 2026" in page
    assert "Victim1" not in page
    assert "John SMITH" in page and "perpetrator&#39;s brother, police" in page
    assert "Jon Smith" in page and "Riverside Police" in page
    assert "Alice Brown" not in page
    assert page.count('name="decision" value="release"') == 1
    assert rows(app, AuditEvent, AuditEvent.action == "case-viewed", AuditEvent.object_id == meeting.case_ids[0]) == 1
    assert "SMITH" not in caplog.text


@pytest.mark.parametrize("role", [Role.CHAIR, Role.AGENCY_REP, Role.PRACTITIONER, Role.ADMIN])
def test_only_the_coordinator_may_see_or_decide(app, client, seeded, sign_in_as, role):
    meeting, people, excluded = seeded
    sign_in_as(role, email=f"someone-{role.value}@example.org", agency=POLICE)

    assert client.get(check_url(client, meeting)).status_code == 403
    assert (
        client.post(
            decide_url(client, meeting, excluded["john"], people["near"]), data={"decision": "release"}
        ).status_code
        == 403
    )
    assert rows(app, DistributionClearance) == 0


@pytest.mark.parametrize("decision", ["", "maybe", "RELEASE"])
def test_a_decision_other_than_release_or_withhold_is_refused_and_changes_nothing(app, client, seeded, decision):
    meeting, people, excluded = seeded
    sign_in(app, client, people["coordinator"])
    audit_before = rows(app, AuditEvent)

    response = client.post(decide_url(client, meeting, excluded["john"], people["near"]), data={"decision": decision})

    assert response.status_code == 400
    assert 'Choose "Different person: release" or "Withhold from this person"' in html.unescape(
        response.get_data(as_text=True)
    )
    assert rows(app, DistributionClearance) == 0
    assert rows(app, AuditEvent) == audit_before


@pytest.mark.parametrize(
    "decision, action, message",
    [
        ("release", "exclusion-match-cleared", "Released: Jon Smith is a different person"),
        ("withhold", "exclusion-match-withheld", "documents leave out case MARAC-"),
    ],
)
def test_a_decision_is_recorded_audited_and_says_what_happens_next(app, client, seeded, decision, action, message):
    meeting, people, excluded = seeded
    sign_in(app, client, people["coordinator"])

    response = client.post(
        decide_url(client, meeting, excluded["john"], people["near"]),
        data={"decision": decision, "confirmed": "yes"},  # withholding asks first (tests/reports/test_withholding.py)
    )

    assert response.status_code == 302
    assert response.location == check_url(client, meeting)
    with app.app_context():
        clearance = db.session.scalars(select(DistributionClearance)).one()
        assert (
            clearance.meeting_id,
            clearance.excluded_person_id,
            clearance.user_id,
            clearance.decision,
            clearance.decided_by_id,
        ) == (
            meeting.meeting_id,
            excluded["john"],
            people["near"],
            ClearanceDecision(decision),
            people["coordinator"],
        )
        audit = db.session.scalars(select(AuditEvent).where(AuditEvent.action.like("exclusion-match-%"))).all()
        assert [(row.action, row.object_type, row.object_id, row.user_id) for row in audit] == [
            (action, "distribution-clearance", str(clearance.id), people["coordinator"])
        ]
    page = client.get(response.location).get_data(as_text=True)
    assert message in page
    assert "Every match is decided" in page
    assert "Distribution is stopped" not in page


def test_deciding_one_of_two_matches_says_the_rest_still_hold_the_documents_back(app, client, seeded, make_user):
    meeting, people, excluded = seeded
    second = make_user(email="karen.jones@example.org", role=Role.AGENCY_REP, agency=HEALTH, name="Karen Jones")[0]
    sign_in(app, client, people["coordinator"])

    response = client.post(
        decide_url(client, meeting, excluded["karen"], second), data={"decision": "release"}, follow_redirects=True
    )

    assert "1 match is still to decide" in response.get_data(as_text=True)
    assert reason(app, meeting.meeting_id, people["unrelated"]) == distribution.HELD_BACK


def test_a_second_decision_on_the_same_match_changes_nothing(app, client, seeded):
    meeting, people, excluded = seeded
    sign_in(app, client, people["coordinator"])
    client.post(decide_url(client, meeting, excluded["john"], people["near"]), data={"decision": "release"})

    again = client.post(
        decide_url(client, meeting, excluded["john"], people["near"]),
        data={"decision": "withhold"},
        follow_redirects=True,
    )

    assert "already decided" in again.get_data(as_text=True)
    assert rows(app, DistributionClearance) == 1
    assert rows(app, AuditEvent, AuditEvent.action == "exclusion-match-withheld") == 0
    assert reason(app, meeting.meeting_id, people["near"]) is None


def test_a_pair_that_is_not_a_match_is_not_found(app, client, seeded):
    meeting, people, excluded = seeded
    sign_in(app, client, people["coordinator"])

    assert (
        client.post(
            decide_url(client, meeting, excluded["john"], people["unrelated"]), data={"decision": "withhold"}
        ).status_code
        == 404
    )
    assert (
        client.get(client.url("reports.view_distribution_check", meeting_id=meeting.meeting_id + 100)).status_code
        == 404
    )
    assert rows(app, DistributionClearance) == 0


def test_a_meeting_without_exclusions_has_nothing_to_check(app, client, make_user):
    meeting = seed_meeting(app, cases=1)
    coordinator = make_user(email="coordinator@example.org", role=Role.COORDINATOR, agency=IDVA, name="John Smith")[0]
    sign_in(app, client, coordinator)

    page = client.get(check_url(client, meeting)).get_data(as_text=True)

    assert "Nothing is held back by this check" in page
    assert reason(app, meeting.meeting_id, coordinator) is None


def test_the_coordinator_is_warned_on_the_meeting_page_and_documents_page_until_every_match_is_decided(
    app, client, seeded
):
    meeting, people, excluded = seeded
    sign_in(app, client, people["coordinator"])
    meeting_page = client.get(client.url("meetings.view_meeting", meeting_id=meeting.meeting_id)).get_data(as_text=True)
    documents_page = client.get(client.url("reports.list_documents")).get_data(as_text=True)

    decide(
        app, meeting.meeting_id, excluded["john"], people["near"], ClearanceDecision.RELEASE, by=people["coordinator"]
    )
    meeting_page_after = client.get(client.url("meetings.view_meeting", meeting_id=meeting.meeting_id)).get_data(
        as_text=True
    )
    documents_page_after = client.get(client.url("reports.list_documents")).get_data(as_text=True)

    assert "documents are held back: 1 person" in meeting_page and check_url(client, meeting) in meeting_page
    assert "Distribution is stopped for the meeting" in documents_page and check_url(client, meeting) in documents_page
    assert "held back" not in meeting_page_after and check_url(client, meeting) not in meeting_page_after
    assert "Distribution is stopped" not in documents_page_after


def test_a_match_decided_a_moment_earlier_is_refused_and_only_the_refused_decision_is_undone(app, seeded):
    from access.audit import AuditAction, record_event

    meeting, people, excluded = seeded
    with app.test_request_context(method="POST"):
        coordinator = db.session.get(User, people["coordinator"])
        found_meeting = db.session.get(Meeting, meeting.meeting_id)
        match = distribution.find_match(found_meeting, excluded["john"], people["near"])
        record_event(AuditAction.CASE_VIEWED, user=coordinator, object_type="case", object_id=meeting.case_ids[0])
        # The chair's decision, written after this request found the match undecided.
        db.session.add(
            DistributionClearance(
                meeting_id=meeting.meeting_id,
                excluded_person_id=excluded["john"],
                user_id=people["near"],
                decision=ClearanceDecision.WITHHOLD,
                decided_by_id=people["chair"],
            )
        )
        db.session.flush()

        assert distribution.decide(found_meeting, match, ClearanceDecision.RELEASE, by=coordinator) is False
        db.session.commit()  # as the request's end would

    assert rows(app, DistributionClearance, DistributionClearance.decision == ClearanceDecision.WITHHOLD) == 1
    assert rows(app, DistributionClearance) == 1
    assert rows(app, AuditEvent, AuditEvent.action == "case-viewed") == 1
    assert rows(app, AuditEvent, AuditEvent.action == "exclusion-match-cleared") == 0
