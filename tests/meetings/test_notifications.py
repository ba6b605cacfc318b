"""In-app notifications: who is told what, the count in the header, and the page of them.
A notification names no person (SECURITY D2 spirit: nothing sensitive outside the case pages), and
never goes to, or stays visible for, someone a case is kept from (exclusion lists, need to know)."""

import re
from datetime import UTC, date, datetime, timedelta

from flask_login import login_user
from sqlalchemy import event, select

from access import notifications, policy
from access.models import Notification, Role, User
from access.policy import CaseScope
from cases.models import Case
from extensions import db
from meetings import running, schedule
from meetings.models import AgendaItem, Meeting, MeetingStatus
from meetings.views.notifications import unread_notifications
from tests.meetings.factories import seed_meeting
from tests.meetings.test_home import exclude, signed_in
from tests.meetings.test_queue import only_referral, referred_case


def messages_of(app, user_id) -> list[str]:
    with app.app_context():
        query = select(Notification.message).where(Notification.user_id == user_id).order_by(Notification.id)
        return list(db.session.scalars(query))


def notify(app, user_id, message, case_id=None, link="/"):
    with app.test_request_context():
        notifications.notify([db.session.get(User, user_id)], message, link, case_id=case_id)
        db.session.commit()


def unread_in_header(client) -> str:
    page = client.get(client.url("meetings.home")).get_data(as_text=True)
    found = re.search(r"data-notifications>Notifications(?: <strong[^>]*>(\d+))?", page)
    return found.group(1) or "0"


def reference_of(app, case_id) -> str:
    with app.app_context():
        return db.session.get(Case, case_id).reference


def test_the_header_counts_unread_notifications_and_the_page_lists_them_newest_first(app, make_user):
    reader = signed_in(app, make_user, Role.CHAIR, "Riverside IDVA Service", "chair@example.org")
    reader_id = db_user_id(app, "chair@example.org")
    assert unread_in_header(reader) == "0"
    notify(app, reader_id, "First thing to know")
    notify(app, reader_id, "Second thing to know")

    assert unread_in_header(reader) == "2"
    page = reader.get(reader.url("meetings.list_notifications")).get_data(as_text=True)
    assert page.index("Second thing to know") < page.index("First thing to know")

    first = notification_id(app, reader_id, "First thing to know")
    assert reader.post(reader.url("meetings.mark_notification_read", notification_id=first)).status_code == 302
    assert unread_in_header(reader) == "1"
    reader.post(reader.url("meetings.mark_all_notifications_read"))
    assert unread_in_header(reader) == "0"


def test_a_person_an_exclusion_list_names_is_not_told_but_the_coordinator_is_held_by_none():

    excluded = CaseScope(involved_agency_ids=frozenset(), idva_agency_ids=frozenset(), excluded=True)
    assert not policy.may_be_told_about_case(User(role=Role.AGENCY_REP, agency_id=1), excluded)
    assert policy.may_be_told_about_case(User(role=Role.COORDINATOR, agency_id=1), excluded)
    assert not policy.may_be_told_about_case(User(role=Role.ADMIN, agency_id=1), excluded)


def test_someone_elses_notification_cannot_be_marked_read(app, make_user):
    owner = db_user_id(app, "owner@example.org", make_user)
    other = signed_in(app, make_user, Role.CHAIR, "Riverside IDVA Service", "chair@example.org")
    notify(app, owner, "Only for the owner")

    response = other.post(
        other.url("meetings.mark_notification_read", notification_id=notification_id(app, owner, "Only for the owner"))
    )

    assert response.status_code == 404
    with app.app_context():
        assert db.session.scalar(select(Notification.read_at)) is None


def test_the_page_is_paginated(app, make_user):
    reader = signed_in(app, make_user, Role.CHAIR, "Riverside IDVA Service", "chair@example.org")
    reader_id = db_user_id(app, "chair@example.org")
    for number in range(notifications.PAGE_SIZE + 2):
        notify(app, reader_id, f"Notice number {number:02d}")

    first = reader.get(reader.url("meetings.list_notifications")).get_data(as_text=True)
    second = reader.get(reader.url("meetings.list_notifications", page=2)).get_data(as_text=True)

    assert "27 notifications, page 1 of 2" in first and "Notice number 26" in first and "Notice number 00" not in first
    assert "Notice number 00" in second and "Notice number 26" not in second


def test_a_notification_about_a_case_the_reader_may_no_longer_see_is_neither_listed_nor_counted(app, make_user):
    """SECURITY Z-rules on exclusion lists: knowing a case reference gives nothing away."""
    seeded = seed_meeting(app, cases=1)
    reader = signed_in(app, make_user, Role.CHAIR, "Riverside IDVA Service", "chair@example.org", name="Pat Jones")
    reader_id = db_user_id(app, "chair@example.org")
    notify(app, reader_id, "About the kept case", case_id=seeded.case_ids[0])
    notify(app, reader_id, "About nothing in particular")
    exclude(app, seeded.case_ids[0], "JONES, Pat")

    page = reader.get(reader.url("meetings.list_notifications")).get_data(as_text=True)

    assert "About the kept case" not in page and "About nothing in particular" in page
    assert unread_in_header(reader) == "1"


def test_the_header_leaves_out_a_notification_about_a_kept_case_before_the_page_is_ever_opened(app, make_user):
    """Z-rules: the count on every page holds the exclusion list too, not only the notifications page."""
    seeded = seed_meeting(app, cases=1)
    reader = signed_in(app, make_user, Role.CHAIR, "Riverside IDVA Service", "chair@example.org", name="Pat Jones")
    reader_id = db_user_id(app, "chair@example.org")
    notify(app, reader_id, "About the kept case", case_id=seeded.case_ids[0])
    notify(app, reader_id, "About nothing in particular")
    assert unread_in_header(reader) == "2"

    exclude(app, seeded.case_ids[0], "JONES, Pat")

    assert unread_in_header(reader) == "1"


def test_the_coordinators_are_told_of_a_new_referral_and_the_referrer_of_the_decision(
    app, client, make_user, sign_in_as
):
    coordinator_id = sign_in_as(Role.COORDINATOR, email="coord@example.org")
    case_id = referred_case(app, make_user, "Jane", "Doe")
    reference = reference_of(app, case_id)

    assert messages_of(app, coordinator_id) == [f"New referral for {reference} is waiting in the referral queue"]
    referral = only_referral(app)
    client.post(client.url("meetings.accept_referral", referral_id=referral.id))

    told = messages_of(app, referral.referrer_id)
    assert told == [f"Your referral for {reference} was accepted by the MARAC coordinator"]
    assert not any("Jane" in message or "Doe" in message for message in told + messages_of(app, coordinator_id))


def test_the_referrer_is_told_when_a_referral_is_declined(app, client, make_user, sign_in_as):
    sign_in_as(Role.COORDINATOR, email="coord@example.org")
    case_id = referred_case(app, make_user)
    referral = only_referral(app)

    client.post(client.url("meetings.decline_referral", referral_id=referral.id), data={"reason": "Out of area"})

    assert messages_of(app, referral.referrer_id) == [
        f"Your referral for {reference_of(app, case_id)} was declined by the MARAC coordinator"
    ]


def test_issuing_the_list_tells_the_invited_agencies_representatives_but_not_one_the_case_is_kept_from(app, make_user):
    seeded = seed_meeting(app, cases=1, starts_at=schedule_start())
    told = db_user_id(app, "rep@example.org", make_user, Role.AGENCY_REP, "Riverside Police")
    kept = db_user_id(app, "pat@example.org", make_user, Role.AGENCY_REP, "Riverside Police", name="Pat Jones")
    not_invited = db_user_id(app, "housing@example.org", make_user, Role.AGENCY_REP, "Riverside Housing")
    coordinator = db_user_id(app, "coord@example.org", make_user, Role.COORDINATOR)
    exclude(app, seeded.case_ids[0], "Pat JONES")

    take_step(app, seeded.meeting_id, coordinator)

    reference = reference_of(app, seeded.case_ids[0])
    assert messages_of(app, told)[0].startswith(f"Research requested for {reference} before ")
    assert messages_of(app, kept) == [] and messages_of(app, not_invited) == []


def test_distributing_the_minutes_tells_the_invited_agencies(app, make_user):
    seeded = seed_meeting(app, cases=1, starts_at=schedule_start())
    rep = db_user_id(app, "rep@example.org", make_user, Role.AGENCY_REP, "Riverside Police")
    not_invited = db_user_id(app, "housing@example.org", make_user, Role.AGENCY_REP, "Riverside Housing")
    coordinator = db_user_id(app, "coord@example.org", make_user, Role.COORDINATOR)
    its_chair = db_user_id(app, "its-chair@example.org", make_user, Role.CHAIR)
    another_chair = db_user_id(app, "another-chair@example.org", make_user, Role.CHAIR)
    with app.app_context():
        meeting = db.session.get(Meeting, seeded.meeting_id)
        meeting.status, meeting.chair_id = MeetingStatus.MINUTES_APPROVED, its_chair
        db.session.commit()

    take_step(app, seeded.meeting_id, coordinator)

    assert len(messages_of(app, its_chair)) == 1 and messages_of(app, another_chair) == []

    assert messages_of(app, rep) == [
        f"The minutes and action plans of the MARAC on {schedule_start().strftime('%-d %B %Y')} are ready"
    ]
    assert messages_of(app, not_invited) == []


def test_a_new_action_tells_the_owner_agencys_representatives(app, make_user):
    seeded = seed_meeting(app, cases=1)
    rep = db_user_id(app, "rep@example.org", make_user, Role.AGENCY_REP, "Riverside Housing")
    coordinator = db_user_id(app, "coord@example.org", make_user, Role.COORDINATOR)
    with app.test_request_context():
        item = db.session.get(AgendaItem, seeded.item_ids[0])
        running.add_action(
            item,
            description="Check the address history",
            owner_agency_id=seeded.agency_ids["Riverside Housing"],
            owner_name="A housing officer",
            due_on=date(2026, 12, 16),
            user=db.session.get(User, coordinator),
        )
        db.session.commit()

    assert messages_of(app, rep) == [
        f"New action for your agency on {reference_of(app, seeded.case_ids[0])}, due 16 December 2026"
    ]


# Helpers


def schedule_start():
    return datetime.now(UTC).replace(hour=10, minute=0, second=0, microsecond=0) + timedelta(days=14)


def take_step(app, meeting_id, user_id):
    with app.test_request_context():
        schedule.take_next_step(db.session.get(Meeting, meeting_id), user=db.session.get(User, user_id))
        db.session.commit()


def db_user_id(app, email, make_user=None, role=Role.CHAIR, agency="Riverside IDVA Service", name="Sam Worker"):
    if make_user is not None:
        return make_user(email=email, role=role, agency=agency, name=name)[0]
    with app.app_context():
        return db.session.scalar(select(User.id).where(User.email == email))


def notification_id(app, user_id, message) -> int:
    with app.app_context():
        return db.session.scalar(
            select(Notification.id).where(Notification.user_id == user_id, Notification.message == message)
        )


def header_count_and_statements(app, reader_id) -> tuple[int, list[str]]:
    statements = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    with app.test_request_context():
        login_user(db.session.get(User, reader_id))
        event.listen(db.engine, "before_cursor_execute", count)
        try:
            unread = unread_notifications()
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
    return unread, statements


def test_the_header_count_is_one_query_however_many_cases_the_unread_notifications_are_about(app, make_user):
    """Issue 20: the count is on every page, so it counts and asks whether any of the cases has an exclusion list
    in one statement; the lists are read, and the scopes of cases worked out, only when one has (Z-rules still
    hold: above)."""
    seeded = seed_meeting(app, cases=3)
    signed_in(app, make_user, Role.CHAIR, "Riverside IDVA Service", "chair@example.org", name="Pat Jones")
    reader_id = db_user_id(app, "chair@example.org")
    for case_id in seeded.case_ids:
        notify(app, reader_id, "About a case", case_id=case_id)

    unread, statements = header_count_and_statements(app, reader_id)

    assert unread == 3
    assert len(statements) == 1


def test_the_header_counts_a_case_whose_exclusion_list_names_someone_else(app, make_user):
    """The lists are read once one of the cases has one, and a list naming another person hides nothing."""
    seeded = seed_meeting(app, cases=3)
    reader = signed_in(app, make_user, Role.CHAIR, "Riverside IDVA Service", "chair@example.org", name="Pat Jones")
    reader_id = db_user_id(app, "chair@example.org")
    for case_id in seeded.case_ids:
        notify(app, reader_id, "About a case", case_id=case_id)
    exclude(app, seeded.case_ids[0], "SMITH, Robin")

    unread, _ = header_count_and_statements(app, reader_id)

    assert unread == 3
    assert unread_in_header(reader) == "3"


def test_an_administrator_with_case_notifications_from_an_earlier_role_is_not_counted_them(app, make_user):
    """Issue 20's cheaper header count must still ask the whole rule: an administrator or auditor is told about
    no case (policy.may_be_told_about_any_case), so notifications about cases kept from an earlier role are
    neither counted in the header nor listed."""
    seeded = seed_meeting(app, cases=2)
    admin = signed_in(app, make_user, Role.ADMIN, "Riverside IDVA Service", "admin@example.org", name="Ali Admin")
    admin_id = db_user_id(app, "admin@example.org")
    for case_id in seeded.case_ids:
        notify(app, admin_id, "About a case", case_id=case_id)
    notify(app, admin_id, "About no case")

    assert unread_in_header(admin) == "1"
    page = admin.get(admin.url("meetings.list_notifications")).get_data(as_text=True)
    assert "About no case" in page and "About a case" not in page


def test_the_cases_of_unread_notifications_leave_out_those_only_read_ones_are_about(app, make_user):
    make_user(email="reader@example.org", role=Role.COORDINATOR)
    reader = db_user_id(app, "reader@example.org")
    read_about = referred_case(app, make_user)
    unread_about = referred_case(app, make_user, given="Ann", key="22222222-2222-4222-8222-222222222222")
    notify(app, reader, "Read already", case_id=read_about)
    with app.app_context():
        notifications.mark_all_read(db.session.get(User, reader))
        db.session.commit()
    notify(app, reader, "Not read yet", case_id=unread_about)
    with app.app_context():
        user = db.session.get(User, reader)
        assert notifications.case_ids_notified(user, unread_only=True) == [unread_about]
        assert sorted(notifications.case_ids_notified(user)) == sorted([read_about, unread_about])
