from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from access.audit import AuditAction
from access.models import AuditEvent, Role
from cases.models import Case, SafeContact
from extensions import db, utcnow
from meetings import research, store
from meetings.models import Meeting, MeetingStatus, ResearchReturn
from meetings.research import ReturnStatus, status_of
from tests.meetings.factories import seed_meeting

POLICE, HEALTH, HOUSING = "Riverside Police", "Riverside Hospitals NHS Trust", "Riverside Housing"
FUTURE = datetime(2030, 6, 5, 10, 0, tzinfo=UTC)


def issue_list(app, seeded, *, due_at=None, status=MeetingStatus.LIST_ISSUED) -> dict:
    """What issuing the MARAC list does: one return per invited agency per case. Returns {(agency, case index): id}."""
    with app.app_context():
        meeting = db.session.get(Meeting, seeded.meeting_id)
        meeting.status = status
        due = due_at or meeting.research_due_at
        ids = {}
        for invitation in store.list_invitations(meeting):
            for index, item_id in enumerate(seeded.item_ids):
                row = ResearchReturn(agenda_item_id=item_id, agency_id=invitation.agency_id, due_at=due)
                db.session.add(row)
                db.session.flush()
                ids[(invitation.agency.name, index)] = row.id
        db.session.commit()
        return ids


def rename_victim(app, case_id, given_name, **details):
    with app.app_context():
        victim = db.session.get(Case, case_id).victim
        victim.given_name = given_name
        for name, value in details.items():
            setattr(victim, name, value)
        db.session.commit()


def get_return(app, return_id) -> ResearchReturn:
    with app.app_context():
        row = db.session.get(ResearchReturn, return_id)
        db.session.expunge(row)
        return row


def count_events(app, action, object_id=None) -> int:
    with app.app_context():
        query = select(func.count()).select_from(AuditEvent).where(AuditEvent.action == str(action))
        if object_id is not None:
            query = query.where(AuditEvent.object_id == str(object_id))
        return db.session.scalar(query)


def a_return(**fields) -> dict:
    return {
        "known": "yes",
        "involvement": "Health visitor since March",
        "risks": "",
        "open_cases": "",
        "proposed_actions": "",
        "not_shareable": "",
        "not_shareable_reason": "",
        "version": "1",
    } | fields


@pytest.fixture
def issued(app):
    seeded = seed_meeting(app, cases=2, starts_at=FUTURE)
    return seeded, issue_list(app, seeded, due_at=FUTURE - timedelta(days=3))


@pytest.mark.parametrize(
    "due_offset, returned_offset, expected",
    [
        (timedelta(minutes=1), None, ReturnStatus.NOT_STARTED),
        (timedelta(0), None, ReturnStatus.NOT_STARTED),
        (-timedelta(minutes=1), None, ReturnStatus.OVERDUE),
        (timedelta(0), -timedelta(minutes=1), ReturnStatus.RETURNED),
        (timedelta(0), timedelta(0), ReturnStatus.RETURNED),
        (timedelta(0), timedelta(minutes=1), ReturnStatus.RETURNED_LATE),
        (-timedelta(days=2), timedelta(days=1), ReturnStatus.RETURNED_LATE),
    ],
)
def test_return_status_around_the_deadline(due_offset, returned_offset, expected):
    now = datetime(2026, 11, 29, 17, 0, tzinfo=UTC)
    due = now + due_offset
    row = ResearchReturn(due_at=due, returned_at=None if returned_offset is None else due + returned_offset)

    assert status_of(row, now) is expected


def test_a_rep_sees_only_issued_lists_of_meetings_their_agency_is_invited_to(app, client, sign_in_as, url):
    ours = seed_meeting(app, cases=1, invited=(POLICE, HEALTH), starts_at=FUTURE)
    not_invited = seed_meeting(app, cases=1, invited=(HOUSING,), starts_at=FUTURE + timedelta(days=14))
    not_issued = seed_meeting(app, cases=1, invited=(POLICE,), starts_at=FUTURE + timedelta(days=28))
    rename_victim(app, ours.case_ids[0], "Ourlist")
    rename_victim(app, not_invited.case_ids[0], "Otherlist")
    rename_victim(app, not_issued.case_ids[0], "Planned")
    issue_list(app, ours)
    issue_list(app, not_invited)
    sign_in_as(Role.AGENCY_REP, agency=POLICE)

    response = client.get(url("meetings.list_research_requests"))

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Ourlist CASE" in page
    assert "Otherlist" not in page
    assert "Planned" not in page
    assert count_events(app, AuditAction.CASE_VIEWED, ours.case_ids[0]) == 1
    assert count_events(app, AuditAction.CASE_VIEWED, not_invited.case_ids[0]) == 0


def test_a_list_is_shown_once_issued_and_while_the_meeting_is_in_progress_but_not_once_minuted(
    app, client, sign_in_as, url
):
    seeded = seed_meeting(app, cases=1, starts_at=FUTURE)
    sign_in_as(Role.AGENCY_REP, agency=POLICE)
    assert "Victim1" not in client.get(url("meetings.list_research_requests")).get_data(as_text=True)

    issue_list(app, seeded, status=MeetingStatus.IN_PROGRESS)
    assert "Victim1" in client.get(url("meetings.list_research_requests")).get_data(as_text=True)

    with app.app_context():
        db.session.get(Meeting, seeded.meeting_id).status = MeetingStatus.MINUTES_DRAFT
        db.session.commit()
    page = client.get(url("meetings.list_research_requests")).get_data(as_text=True)
    assert "Victim1" not in page
    assert "There are no MARAC lists for your agency to research" in page


def test_the_list_shows_what_agencies_search_their_records_with(app, client, sign_in_as, url, issued):
    seeded, ids = issued
    rename_victim(app, seeded.case_ids[0], "Amira", aliases=["Amy Stone"], date_of_birth_variants=["1990-02-01"])
    sign_in_as(Role.AGENCY_REP, agency=POLICE)

    page = client.get(url("meetings.list_research_requests")).get_data(as_text=True)

    assert "Amira CASE, born 1 January 1990" in page
    assert "also known as Amy Stone" in page
    assert "other dates of birth on record 1990-02-01" in page
    assert "Perpetrator1 CASE, born 1 January 1985" in page
    assert "Child1 CASE, born 1 January 2018" in page
    assert "Visible high risk (checklist score)" in page
    assert '<dd class="govuk-summary-list__value">High</dd>' in page
    assert "Research due by" in page and "Sunday 2 June 2030" in page
    assert "Not started" in page
    assert url("meetings.edit_research_return", return_id=ids[(POLICE, 0)]) in page
    assert url("meetings.edit_research_return", return_id=ids[(HEALTH, 0)]) not in page
    assert "RV1 2AB" not in page


def test_a_rep_with_no_lists_is_told_what_happens_next(client, sign_in_as, url):
    sign_in_as(Role.AGENCY_REP, agency=POLICE)

    response = client.get(url("meetings.list_research_requests"))

    assert response.status_code == 200
    assert "When the coordinator issues the list" in response.get_data(as_text=True)


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.CHAIR, Role.PRACTITIONER])
def test_only_agency_reps_have_a_research_list(client, sign_in_as, url, role):
    sign_in_as(role)

    assert client.get(url("meetings.list_research_requests")).status_code == 403


def test_saving_a_return_records_it_and_goes_back_to_the_list(app, client, sign_in_as, url, issued):
    seeded, ids = issued
    rep_id = sign_in_as(Role.AGENCY_REP, agency=POLICE)
    return_id = ids[(POLICE, 0)]

    response = client.post(
        url("meetings.edit_research_return", return_id=return_id),
        data=a_return(
            risks="Threats to kill in May", not_shareable="A sealed court file", not_shareable_reason="Court order"
        ),
    )

    assert response.status_code == 302
    assert response.location == url("meetings.list_research_requests")
    saved = get_return(app, return_id)
    assert saved.known is True
    assert saved.involvement == "Health visitor since March"
    assert saved.risks == "Threats to kill in May"
    assert saved.open_cases is None
    assert (saved.not_shareable, saved.not_shareable_reason) == ("A sealed court file", "Court order")
    assert saved.returned_by_id == rep_id
    assert abs(saved.returned_at - utcnow()) < timedelta(minutes=1)
    assert count_events(app, AuditAction.RESEARCH_RETURNED, return_id) == 1
    page = client.get(response.location).get_data(as_text=True)
    assert "Research return saved" in page
    assert "Returned</strong> on" in page


def test_the_return_form_shows_the_case_and_records_the_view(app, client, sign_in_as, url, issued):
    seeded, ids = issued
    sign_in_as(Role.AGENCY_REP, agency=POLICE)

    response = client.get(url("meetings.edit_research_return", return_id=ids[(POLICE, 1)]))

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Research return: Victim2 CASE" in page
    assert "Save research return" in page
    assert count_events(app, AuditAction.CASE_VIEWED, seeded.case_ids[1]) == 1


@pytest.mark.parametrize("method", ["get", "post"])
def test_another_agencys_rep_gets_not_found_and_changes_nothing(app, client, sign_in_as, url, issued, method):
    seeded, ids = issued
    sign_in_as(Role.AGENCY_REP, agency=HEALTH)
    police_return = ids[(POLICE, 0)]

    response = getattr(client, method)(url("meetings.edit_research_return", return_id=police_return), data=a_return())

    assert response.status_code == 404
    assert "Victim1" not in response.get_data(as_text=True)
    assert get_return(app, police_return).returned_at is None
    assert count_events(app, AuditAction.RESEARCH_RETURNED) == 0
    assert count_events(app, AuditAction.CASE_VIEWED, seeded.case_ids[0]) == 0


def test_a_rep_of_an_agency_not_invited_gets_not_found(client, sign_in_as, url, issued):
    _, ids = issued
    sign_in_as(Role.AGENCY_REP, agency=HOUSING)

    assert client.get(url("meetings.edit_research_return", return_id=ids[(POLICE, 0)])).status_code == 404


def test_a_return_that_does_not_exist_is_not_found(client, sign_in_as, url):
    sign_in_as(Role.AGENCY_REP, agency=POLICE)

    assert client.get(url("meetings.edit_research_return", return_id=999999)).status_code == 404


def test_a_return_on_a_list_not_yet_issued_is_not_found(app, client, sign_in_as, url):
    seeded = seed_meeting(app, cases=1, starts_at=FUTURE)
    ids = issue_list(app, seeded, status=MeetingStatus.PLANNED)
    sign_in_as(Role.AGENCY_REP, agency=POLICE)

    assert client.get(url("meetings.edit_research_return", return_id=ids[(POLICE, 0)])).status_code == 404


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"known": ""}, "Say whether your agency knows the victim, the person causing harm or the children"),
        ({"known": "maybe"}, "Say whether your agency knows the victim, the person causing harm or the children"),
        ({"known": "yes", "involvement": " "}, "Enter a summary of your agency&#39;s involvement"),
        (
            {"not_shareable": "A sealed court file", "not_shareable_reason": "  "},
            "Enter why the information your agency holds cannot be shared",
        ),
        ({"involvement": "x" * 10001}, "Enter 10,000 characters or fewer"),
        ({"not_shareable_reason": "y" * 10001}, "Enter 10,000 characters or fewer"),
        ({"version": ""}, "Reload the page and enter your return again"),
        ({"version": "one"}, "Reload the page and enter your return again"),
    ],
)
def test_a_return_with_a_problem_says_what_to_fix_and_saves_nothing(
    app, client, sign_in_as, url, issued, fields, message
):
    _, ids = issued
    sign_in_as(Role.AGENCY_REP, agency=POLICE)
    return_id = ids[(POLICE, 0)]

    response = client.post(url("meetings.edit_research_return", return_id=return_id), data=a_return(**fields))

    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    saved = get_return(app, return_id)
    assert (saved.returned_at, saved.known, saved.involvement, saved.version_id) == (None, None, None, 1)
    assert count_events(app, AuditAction.RESEARCH_RETURNED) == 0


def test_a_stale_version_is_refused_and_nothing_is_saved(app, client, sign_in_as, url, issued):
    _, ids = issued
    sign_in_as(Role.AGENCY_REP, agency=POLICE)
    return_id = ids[(POLICE, 0)]
    first = client.post(
        url("meetings.edit_research_return", return_id=return_id),
        data=a_return(involvement="First colleague's account"),
    )
    assert first.status_code == 302

    response = client.post(
        url("meetings.edit_research_return", return_id=return_id),
        data=a_return(involvement="Second colleague's account", version="1"),
    )

    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "your changes have not been saved" in page
    assert "First colleague&#39;s account" in page
    assert "Second colleague&#39;s account" in page
    assert 'name="version" type="hidden" value="2"' in page
    assert get_return(app, return_id).involvement == "First colleague's account"
    assert count_events(app, AuditAction.RESEARCH_RETURNED, return_id) == 1


def test_a_second_save_with_the_current_version_keeps_the_first_return_time(app, client, sign_in_as, url, issued):
    _, ids = issued
    sign_in_as(Role.AGENCY_REP, agency=POLICE)
    return_id = ids[(POLICE, 0)]
    client.post(url("meetings.edit_research_return", return_id=return_id), data=a_return())
    first_returned_at = get_return(app, return_id).returned_at

    response = client.post(
        url("meetings.edit_research_return", return_id=return_id),
        data=a_return(known="no", involvement="", version="2"),
    )

    saved = get_return(app, return_id)
    assert response.status_code == 302
    assert (saved.known, saved.involvement, saved.version_id) == (False, None, 3)
    assert saved.returned_at == first_returned_at
    assert count_events(app, AuditAction.RESEARCH_RETURNED, return_id) == 2


def test_a_late_return_is_accepted_and_marked_late(app, client, sign_in_as, url):
    seeded = seed_meeting(app, cases=1, starts_at=FUTURE)
    ids = issue_list(app, seeded, due_at=utcnow() - timedelta(days=1))
    sign_in_as(Role.AGENCY_REP, agency=POLICE)
    return_id = ids[(POLICE, 0)]
    form_page = client.get(url("meetings.edit_research_return", return_id=return_id)).get_data(as_text=True)
    assert "The deadline has passed" in form_page
    assert "Overdue" in client.get(url("meetings.list_research_requests")).get_data(as_text=True)

    response = client.post(url("meetings.edit_research_return", return_id=return_id), data=a_return())

    assert response.status_code == 302
    assert get_return(app, return_id).returned_at is not None
    assert "Returned late" in client.get(url("meetings.list_research_requests")).get_data(as_text=True)


def test_once_the_minutes_are_drafted_a_return_is_read_only(app, client, sign_in_as, url, issued):
    seeded, ids = issued
    sign_in_as(Role.AGENCY_REP, agency=POLICE)
    return_id = ids[(POLICE, 0)]
    client.post(
        url("meetings.edit_research_return", return_id=return_id), data=a_return(involvement="Known since 2021")
    )
    with app.app_context():
        db.session.get(Meeting, seeded.meeting_id).status = MeetingStatus.MINUTES_DRAFT
        db.session.commit()

    shown = client.get(url("meetings.edit_research_return", return_id=return_id))
    refused = client.post(
        url("meetings.edit_research_return", return_id=return_id),
        data=a_return(involvement="Changed after the meeting", version="2"),
    )

    assert shown.status_code == 200
    page = shown.get_data(as_text=True)
    assert "can no longer be changed" in page
    assert "Known since 2021" in page
    assert "Save research return" not in page
    assert refused.status_code == 409
    assert get_return(app, return_id).involvement == "Known since 2021"
    assert count_events(app, AuditAction.RESEARCH_RETURNED, return_id) == 1


def return_research(app, return_id, *, returned_at, **fields):
    with app.app_context():
        row = db.session.get(ResearchReturn, return_id)
        row.known, row.returned_at = True, returned_at
        for name, value in fields.items():
            setattr(row, name, value)
        db.session.commit()


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.CHAIR])
def test_progress_counts_returns_by_agency_and_highlights_overdue(app, client, sign_in_as, url, role):
    seeded = seed_meeting(app, cases=2, invited=(POLICE, HEALTH, HOUSING), starts_at=FUTURE)
    due = utcnow() - timedelta(hours=1)
    ids = issue_list(app, seeded, due_at=due)
    return_research(app, ids[(POLICE, 0)], returned_at=due - timedelta(days=1))
    return_research(app, ids[(POLICE, 1)], returned_at=due + timedelta(minutes=5))
    return_research(app, ids[(HEALTH, 0)], returned_at=due - timedelta(days=1))
    sign_in_as(role)

    response = client.get(url("meetings.view_research_progress", meeting_id=seeded.meeting_id))

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "3 of 6 returns received" in page
    with app.app_context():
        progress = research.meeting_progress(db.session.get(Meeting, seeded.meeting_id))
    by_agency = {row.agency_name: (row.returned, row.requested, row.late, row.overdue) for row in progress.by_agency}
    assert by_agency == {POLICE: (2, 2, 1, 0), HEALTH: (1, 2, 0, 1), HOUSING: (0, 2, 0, 2)}
    assert "2 of 2 (1 late)" in page
    assert "All returned" in page
    assert "1 overdue" in page and "2 overdue" in page
    assert [(row.position, row.returned, row.outstanding_agencies) for row in progress.by_case] == [
        (1, 2, (HOUSING,)),
        (2, 1, (HEALTH, HOUSING)),
    ]
    assert url("meetings.view_case_research", meeting_id=seeded.meeting_id, item_id=seeded.item_ids[1]) in page
    assert "Case 2 (VC)" in page


def test_progress_before_the_list_is_issued_says_so(app, client, sign_in_as, url):
    seeded = seed_meeting(app, cases=1, starts_at=FUTURE)
    sign_in_as(Role.COORDINATOR)

    response = client.get(url("meetings.view_research_progress", meeting_id=seeded.meeting_id))

    assert response.status_code == 200
    assert "No research has been requested for this meeting yet" in response.get_data(as_text=True)


@pytest.mark.parametrize("role", [Role.AGENCY_REP, Role.PRACTITIONER, Role.ADMIN])
def test_only_the_chair_and_coordinator_see_progress_and_case_research(client, sign_in_as, url, issued, role):
    seeded, _ = issued
    sign_in_as(role)

    assert client.get(url("meetings.view_research_progress", meeting_id=seeded.meeting_id)).status_code == 403
    assert (
        client.get(
            url("meetings.view_case_research", meeting_id=seeded.meeting_id, item_id=seeded.item_ids[0])
        ).status_code
        == 403
    )


def test_a_missing_meeting_or_an_item_of_another_meeting_is_not_found(app, client, sign_in_as, url, issued):
    seeded, _ = issued
    other = seed_meeting(app, cases=1, starts_at=FUTURE + timedelta(days=14))
    sign_in_as(Role.CHAIR)

    assert client.get(url("meetings.view_research_progress", meeting_id=999999)).status_code == 404
    assert (
        client.get(
            url("meetings.view_case_research", meeting_id=seeded.meeting_id, item_id=other.item_ids[0])
        ).status_code
        == 404
    )


def test_case_research_shows_each_agencys_return_and_who_has_not_returned(app, client, sign_in_as, url, issued):
    seeded, ids = issued
    return_research(
        app,
        ids[(POLICE, 0)],
        returned_at=utcnow(),
        involvement="Three call-outs this year",
        risks="Threats with a knife",
        open_cases="Harassment investigation",
        proposed_actions="Flag the address",
        not_shareable="Intelligence report",
        not_shareable_reason="Ongoing operation",
    )
    sign_in_as(Role.COORDINATOR)

    response = client.get(url("meetings.view_case_research", meeting_id=seeded.meeting_id, item_id=seeded.item_ids[0]))

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Research: Victim1 CASE" in page
    for text in (
        "Known",
        "Three call-outs this year",
        "Threats with a knife",
        "Harassment investigation",
        "Flag the address",
        "Intelligence report",
        "Ongoing operation",
    ):
        assert text in page
    not_returned = page.split("Not yet returned")[1].split("Returns received")[0]
    assert HEALTH in not_returned and POLICE not in not_returned
    assert count_events(app, AuditAction.CASE_VIEWED, seeded.case_ids[0]) == 1


def test_returns_for_an_item_come_back_by_agency_name(app, issued):
    seeded, ids = issued
    with app.app_context():
        rows = store.list_research_returns_for_item(seeded.item_ids[0])

        assert [row.id for row in rows] == [ids[(HEALTH, 0)], ids[(POLICE, 0)]]


def test_no_page_shows_the_victims_safe_contact(app, client, sign_in_as, url, make_user, issued):
    from tests.conftest import give_session

    seeded, ids = issued
    with app.app_context():
        case = db.session.get(Case, seeded.case_ids[0])
        db.session.add(
            SafeContact(
                case_id=case.id,
                agency_id=case.created_by_agency_id,
                phone="07700 900999",
                safe_to_call=True,
                safe_address="CANARY REFUGE",
            )
        )
        db.session.commit()
    return_research(app, ids[(HEALTH, 0)], returned_at=utcnow())
    sign_in_as(Role.AGENCY_REP, agency=POLICE)
    pages = [
        client.get(url("meetings.list_research_requests")),
        client.get(url("meetings.edit_research_return", return_id=ids[(POLICE, 0)])),
        client.post(url("meetings.edit_research_return", return_id=ids[(POLICE, 0)]), data=a_return(known="")),
    ]
    coordinator_id, _ = make_user(email="coordinator@example.org", role=Role.COORDINATOR)
    give_session(app, client, coordinator_id)
    pages += [
        client.get(url("meetings.view_research_progress", meeting_id=seeded.meeting_id)),
        client.get(url("meetings.view_case_research", meeting_id=seeded.meeting_id, item_id=seeded.item_ids[0])),
    ]

    assert [response.status_code for response in pages] == [200, 200, 400, 200, 200]
    for response in pages:
        page = response.get_data(as_text=True)
        assert "Victim1" in page or "Case 1" in page
        assert "07700 900999" not in page
        assert "CANARY REFUGE" not in page


def test_a_save_racing_another_is_refused_by_the_version_column(app, make_user, issued):
    from sqlalchemy import update

    from access.models import User

    _, ids = issued
    return_id = ids[(POLICE, 0)]
    rep_id, _ = make_user(email="racer@example.org", role=Role.AGENCY_REP, agency=POLICE)
    with app.test_request_context(method="POST"):
        row = db.session.get(ResearchReturn, return_id)
        db.session.execute(
            update(ResearchReturn)
            .where(ResearchReturn.id == return_id)
            .values(version_id=2, involvement="Won the race"),
            execution_options={"synchronize_session": False},
        )
        assert row.version_id == 1
        answers = research.ReturnAnswers(version="1", known=True, involvement="Lost the race")

        assert research.save_return(row, answers, user=db.session.get(User, rep_id)) is False
        db.session.commit()  # as the request's end would: the race's winner is kept, nothing of the loser

    saved = get_return(app, return_id)
    assert (saved.involvement, saved.known, saved.returned_at, saved.version_id) == ("Won the race", None, None, 2)
    assert count_events(app, AuditAction.RESEARCH_RETURNED) == 0


def test_a_case_whose_exclusion_list_names_someone_like_the_rep_is_kept_from_them_until_released(
    app, client, make_user, url, issued
):
    from cases.models import ClearanceDecision, DistributionClearance, ExcludedPerson
    from tests.conftest import give_session

    seeded, ids = issued
    rep_id, _ = make_user(email="jon.smith@example.org", role=Role.AGENCY_REP, agency=POLICE, name="Jon Smith")
    with app.app_context():
        excluded = ExcludedPerson(
            case_id=seeded.case_ids[0], name="John SMITH", note=None, recorded_by_id=seeded.referrer_id
        )
        db.session.add(excluded)
        db.session.commit()
        excluded_id = excluded.id
    give_session(app, client, rep_id)
    kept_return = url("meetings.edit_research_return", return_id=ids[(POLICE, 0)])

    page = client.get(url("meetings.list_research_requests")).get_data(as_text=True)
    form_status = client.get(kept_return).status_code
    views_while_kept = count_events(app, AuditAction.CASE_VIEWED, seeded.case_ids[0])
    with app.app_context():
        db.session.add(
            DistributionClearance(
                meeting_id=seeded.meeting_id,
                excluded_person_id=excluded_id,
                user_id=rep_id,
                decision=ClearanceDecision.RELEASE,
                decided_by_id=seeded.referrer_id,
            )
        )
        db.session.commit()
    page_after_release = client.get(url("meetings.list_research_requests")).get_data(as_text=True)

    assert "Victim1" not in page and "Victim2 CASE" in page
    assert form_status == 404
    assert views_while_kept == 0
    assert "Victim1 CASE" in page_after_release
    assert client.get(kept_return).status_code == 200
