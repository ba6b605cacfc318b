"""Issue 18, withholding: a withheld case is left out of that recipient's documents and nothing else is;
"Withhold" confirms first and says who is told; a decision can be reviewed with a reason; the chair and
the coordinator can always read the draft minutes (SECURITY Z2: an excluded person sees nothing of the
case; L2: every download and decision is audited)."""

import html

import pytest
from sqlalchemy import func, select

from access.models import AuditEvent, User
from cases.models import ClearanceDecision, DistributionClearance, ExcludedPerson
from extensions import db
from meetings.models import Meeting, MeetingStatus
from reports import distribution
from tests.conftest import give_session
from tests.reports.pdf_helpers import pdf_text
from tests.reports.test_documents import seed_world

LEFT_OUT = "One case on this meeting is not included in your copy"


@pytest.fixture
def world(app):
    return seed_world(app)


def exclude(app, case_id: str, user_id: int) -> int:
    """Puts someone named like this user on the case's exclusion list."""
    with app.app_context():
        entry = ExcludedPerson(
            case_id=case_id, name=db.session.get(User, user_id).name, note=None, recorded_by_id=user_id
        )
        db.session.add(entry)
        db.session.commit()
        return entry.id


def decide(app, meeting_id, excluded_id, user_id, decision, by) -> int:
    with app.test_request_context():
        meeting = db.session.get(Meeting, meeting_id)
        match = distribution.find_match(meeting, excluded_id, user_id)
        assert distribution.decide(meeting, match, decision, by=db.session.get(User, by))
        db.session.commit()
        return db.session.scalars(select(DistributionClearance.id)).one()


def set_status(app, meeting_id, status) -> None:
    with app.app_context():
        db.session.get(Meeting, meeting_id).status = status
        db.session.commit()


def sign_in(app, client, world, who) -> int:
    give_session(app, client, world.user_ids[who])
    return world.user_ids[who]


def document(client, world, kind: str):
    return client.get(f"/documents/meetings/{world.meeting_id}/{kind}")


def count(app, model, *where) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


# Withholding applies to the excluded case only.


def test_a_withheld_case_is_left_out_of_that_recipients_documents_and_the_rest_stay_available(app, client, world):
    rep = world.user_ids["police rep"]
    entry = exclude(app, world.case_ids[0], rep)  # Alice's case
    decide(app, world.meeting_id, entry, rep, ClearanceDecision.WITHHOLD, by=world.user_ids["coordinator"])
    sign_in(app, client, world, "police rep")

    page = client.get("/documents").get_data(as_text=True)
    copies = {kind: document(client, world, kind) for kind in ("agenda", "research-pack", "minutes", "action-plan")}

    assert "(PDF)</a>" in page and LEFT_OUT in html.unescape(page)
    for kind, response in copies.items():
        assert response.status_code == 200, kind
        text = pdf_text(response.data)
        assert LEFT_OUT in text, kind
        assert "(AA, MARAC" not in text and "Alice" not in text and "Police action one" not in text, kind
        assert "(BB, MARAC" in text, kind
    assert count(app, AuditEvent, AuditEvent.action == "document-downloaded", AuditEvent.user_id == rep) == 4


def test_the_coordinator_still_gets_every_case_and_others_are_not_told_of_a_case_left_out(app, client, world):
    rep = world.user_ids["police rep"]
    entry = exclude(app, world.case_ids[0], rep)
    decide(app, world.meeting_id, entry, rep, ClearanceDecision.WITHHOLD, by=world.user_ids["coordinator"])
    sign_in(app, client, world, "coordinator")

    text = pdf_text(document(client, world, "agenda").data)

    assert "(AA, MARAC" in text and LEFT_OUT not in text


# The chair and the coordinator can always read the draft minutes.


def test_the_chair_reads_the_draft_minutes_while_the_check_holds_documents_back(app, client, world):
    set_status(app, world.meeting_id, MeetingStatus.MINUTES_DRAFT)
    exclude(app, world.case_ids[0], world.user_ids["police rep"])  # an undecided match holds documents back
    sign_in(app, client, world, "chair")

    response = document(client, world, "minutes")

    assert response.status_code == 200
    text = pdf_text(response.data)
    assert "DRAFT" in text and "(AA, MARAC" in text
    assert document(client, world, "agenda").status_code == 403  # the rest stays held back until decided


def test_the_chairs_draft_leaves_out_a_case_the_chair_is_excluded_from(app, client, world):
    set_status(app, world.meeting_id, MeetingStatus.MINUTES_DRAFT)
    exclude(app, world.case_ids[1], world.user_ids["chair"])  # Bella's case names someone like the chair
    sign_in(app, client, world, "chair")

    response = document(client, world, "minutes")

    assert response.status_code == 200
    text = pdf_text(response.data)
    assert "(BB, MARAC" not in text and "DECISION-2" not in text and LEFT_OUT in text
    assert "(AA, MARAC" in text and "(CC, MARAC" in text


# "Withhold" confirms first and says who will be told.


def decide_url(world, entry, user_id) -> str:
    return f"/reports/meetings/{world.meeting_id}/distribution/{entry}/{user_id}"


def test_withhold_asks_for_confirmation_first_and_says_who_will_be_told(app, client, world):
    rep = world.user_ids["police rep"]
    entry = exclude(app, world.case_ids[0], rep)
    sign_in(app, client, world, "coordinator")

    asked = client.post(decide_url(world, entry, rep), data={"decision": "withhold"})

    page = html.unescape(asked.get_data(as_text=True))
    assert asked.status_code == 200
    assert "Withhold this case from Rita Rep?" in page
    assert "Who will be told" in page
    assert 'name="confirmed" value="yes"' in page
    assert count(app, DistributionClearance) == 0

    confirmed = client.post(decide_url(world, entry, rep), data={"decision": "withhold", "confirmed": "yes"})

    assert confirmed.status_code == 302
    assert count(app, DistributionClearance, DistributionClearance.decision == ClearanceDecision.WITHHOLD) == 1


# A decision can be reviewed: changed with a reason, both kept and audited.


def review_url(world, clearance_id) -> str:
    return f"/reports/meetings/{world.meeting_id}/distribution/decisions/{clearance_id}/review"


def test_a_decision_is_changed_with_a_reason_and_both_decisions_are_kept_and_audited(app, client, world):
    from cases.models import ClearanceReview

    rep = world.user_ids["police rep"]
    entry = exclude(app, world.case_ids[0], rep)
    clearance = decide(app, world.meeting_id, entry, rep, ClearanceDecision.WITHHOLD, by=world.user_ids["coordinator"])
    sign_in(app, client, world, "coordinator")

    form = client.get(review_url(world, clearance))
    missing_reason = client.post(review_url(world, clearance), data={"decision": "release", "reason": "  "})

    assert form.status_code == 200 and "Change the decision" in form.get_data(as_text=True)
    assert missing_reason.status_code == 400
    assert "Say why the decision is changing" in html.unescape(missing_reason.get_data(as_text=True))
    assert count(app, ClearanceReview) == 0

    changed = client.post(
        review_url(world, clearance), data={"decision": "release", "reason": "Confirmed a different person by phone"}
    )

    assert changed.status_code == 302
    with app.app_context():
        row = db.session.get(DistributionClearance, clearance)
        review = db.session.scalars(select(ClearanceReview)).one()
        assert row.decision is ClearanceDecision.RELEASE
        assert (review.previous_decision, review.decision, review.reason, review.decided_by_id) == (
            ClearanceDecision.WITHHOLD,
            ClearanceDecision.RELEASE,
            "Confirmed a different person by phone",
            world.user_ids["coordinator"],
        )
        audit = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "exclusion-decision-changed")).all()
        assert [(event.object_type, event.object_id) for event in audit] == [("distribution-clearance", str(clearance))]
    page = html.unescape(client.get(f"/reports/meetings/{world.meeting_id}/distribution").get_data(as_text=True))
    decided = page.split("Decisions changed")[0]
    assert "Released: a different person (changed: see below)" in decided
    assert "Withheld from this person" not in decided.split("Decision</th>")[-1]
    assert "Withheld from this person" in page.split("Decisions changed")[1]
    assert "Confirmed a different person by phone" in page


@pytest.mark.parametrize("who", ["chair", "police rep"])
def test_only_the_coordinator_may_review_a_decision(app, client, world, who):
    rep = world.user_ids["police rep"]
    entry = exclude(app, world.case_ids[0], rep)
    clearance = decide(app, world.meeting_id, entry, rep, ClearanceDecision.WITHHOLD, by=world.user_ids["coordinator"])
    sign_in(app, client, world, who)

    response = client.post(review_url(world, clearance), data={"decision": "release", "reason": "Because"})

    assert response.status_code in (403, 404)
    with app.app_context():
        assert db.session.get(DistributionClearance, clearance).decision is ClearanceDecision.WITHHOLD
