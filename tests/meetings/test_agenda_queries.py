"""The agenda loads each case's referral, victim and decision together, so a long agenda costs no more
queries than a short one (a page of 25 cases once took 111)."""

from datetime import timedelta

from access.models import Role
from tests.meetings.factories import MEETING_START, seed_meeting
from tests.sql_statements import statements_run


def queries_for_page(app, client, path) -> int:
    client.get(path)
    with statements_run(app) as statements:
        assert client.get(path).status_code == 200
    return len(statements)


def test_the_agenda_page_makes_as_many_queries_for_twelve_cases_as_for_two(app, client, sign_in_as):
    short = seed_meeting(app, cases=2)
    long = seed_meeting(app, cases=12, starts_at=MEETING_START + timedelta(days=14))
    sign_in_as(Role.COORDINATOR, email="coord@example.org")

    short_queries = queries_for_page(app, client, client.url("meetings.view_meeting", meeting_id=short.meeting_id))
    long_queries = queries_for_page(app, client, client.url("meetings.view_meeting", meeting_id=long.meeting_id))

    assert long_queries == short_queries
