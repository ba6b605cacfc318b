"""What the meeting cycle keeps for a case's history (cases/chronology.py): when a referral was triaged,
when a case was placed on an agenda, when the list went out and the minutes were distributed, and each
update of an action, with who made it."""

from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from access.models import Role
from cases.models import Referral, ReferralState
from extensions import db
from meetings.models import Action, ActionStatus, ActionUpdate, AgendaItem, Meeting, MeetingStatus
from tests.meetings.factories import seed_meeting
from tests.meetings.test_actions import POLICE, add_action
from tests.meetings.test_meeting_cycle import (
    SOON,
    accept_plan,
    accepted_referrals,
    earlier_action,
    get,
    move,
    set_status,
    step,
)


@pytest.fixture
def coordinator(sign_in_as):
    return sign_in_as(Role.COORDINATOR, email="coordinator@example.org", agency="Riverside IDVA Service")


def updates_of(app, action_id: int) -> list[tuple]:
    with app.app_context():
        query = select(ActionUpdate).where(ActionUpdate.action_id == action_id).order_by(ActionUpdate.id)
        return [
            (update.status, update.note, update.agency_id, update.reviewed_at_meeting_id)
            for update in db.session.scalars(query)
        ]


def test_triage_keeps_when_the_coordinator_accepted_or_declined(app, client, coordinator):
    seeded = seed_meeting(app, cases=2)
    with app.app_context():
        for referral_id in seeded.referral_ids:
            db.session.get(Referral, referral_id).state = ReferralState.RECEIVED
        db.session.commit()

    client.post(client.url("meetings.accept_referral", referral_id=seeded.referral_ids[0]))
    client.post(client.url("meetings.decline_referral", referral_id=seeded.referral_ids[1]), data={"reason": "Moved"})

    accepted, declined = (get(app, Referral, referral_id) for referral_id in seeded.referral_ids)
    assert accepted.state is ReferralState.ACCEPTED and accepted.triaged_at is not None
    assert declined.state is ReferralState.DECLINED and declined.triaged_at is not None


def test_placing_a_case_on_an_agenda_or_moving_it_keeps_when(app, client, coordinator):
    meeting_id, _ = accepted_referrals(app, 1)
    accept_plan(client)
    later = seed_meeting(app, cases=0, starts_at=SOON + timedelta(days=14))
    with app.app_context():
        item_id = db.session.scalar(select(AgendaItem.id).where(AgendaItem.meeting_id == meeting_id))
    placed = get(app, AgendaItem, item_id).placed_at

    move(
        client, SimpleNamespace(meeting_id=meeting_id, item_ids=[item_id]), 0, "to", to_meeting_id=str(later.meeting_id)
    )

    moved = get(app, AgendaItem, item_id)
    assert placed is not None
    assert moved.meeting_id == later.meeting_id and moved.placed_at > placed


def test_the_meeting_keeps_when_its_list_went_out_and_its_minutes_were_distributed(app, client, coordinator):
    seeded = seed_meeting(app, cases=1, starts_at=SOON)

    step(client, seeded.meeting_id)
    issued = get(app, Meeting, seeded.meeting_id)
    with app.app_context():
        db.session.get(Meeting, seeded.meeting_id).starts_at = datetime.now(UTC)  # a meeting starts on its day
        db.session.commit()
    for _ in range(4):  # started, ended (the case not heard), approved (the draft read), distributed
        step(client, seeded.meeting_id, not_heard="y", read_draft="y")
    distributed = get(app, Meeting, seeded.meeting_id)

    assert issued.list_issued_at is not None and issued.distributed_at is None
    assert distributed.status is MeetingStatus.DISTRIBUTED
    assert distributed.list_issued_at == issued.list_issued_at
    assert distributed.distributed_at > distributed.list_issued_at


def test_each_change_to_an_action_is_kept_with_the_agency_that_made_it(app, client, sign_in_as):
    seeded = seed_meeting(app, cases=1)
    action_id = add_action(app, seeded)
    sign_in_as(Role.AGENCY_REP, agency=POLICE)
    url = client.url("meetings.update_action", action_id=action_id)

    client.post(url, data={"status": "open", "completion_note": "", "version": "1"})  # saved, but nothing changed
    version = get(app, Action, action_id).version_id
    client.post(url, data={"status": "done", "completion_note": "Flag added", "version": str(version)})

    assert get(app, Action, action_id).status is ActionStatus.DONE
    assert updates_of(app, action_id) == [(ActionStatus.DONE, "Flag added", seeded.agency_ids[POLICE], None)]


def test_an_update_made_at_a_meetings_review_names_the_meeting(app, client, coordinator):
    earlier = seed_meeting(app, cases=1, starts_at=SOON - timedelta(days=40))
    this = seed_meeting(app, cases=1, starts_at=SOON)
    set_status(app, this.meeting_id, MeetingStatus.IN_PROGRESS)
    action_id = earlier_action(app, earlier, date.today() - timedelta(days=3))

    client.post(
        client.url("meetings.review_actions", meeting_id=this.meeting_id),
        data={f"status-{action_id}": "done", f"note-{action_id}": "Done at last", f"version-{action_id}": "1"},
    )

    [(status, note, _, meeting_id)] = updates_of(app, action_id)
    assert (status, note, meeting_id) == (ActionStatus.DONE, "Done at last", this.meeting_id)
