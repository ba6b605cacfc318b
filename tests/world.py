"""One seeded world with a real row behind every URL parameter, for tests that walk app.url_map as each role:
a distributed meeting with cases, a research return, an action, an attendance, an excluded person, an import
batch, an API token and a signed-in user of every role in one agency, plus the same roles in another agency."""

import hashlib
import re
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import inspect, select, text

from access import signin
from access import store as access_store
from access.models import Agency, AlertKind, Notification, Role, SecurityAlert, SessionStage, User
from access.second_factor import new_totp_secret
from cases import imports as import_store
from cases.models import Case, ClearanceDecision, DistributionClearance, ExcludedPerson, Person
from extensions import db
from meetings.models import Action, Attendance, AttendanceStatus, Meeting, MeetingStatus, ResearchReturn
from reports import subject_access
from reports.vocabulary import ItemDecision, ReceivedBy, RequesterKind
from risk.imports.checking import detect_mapping
from risk.imports.files import read_table, stage_upload
from risk.instruments import get_pack
from risk.models import Assessment
from tests.cases.test_import_store import MIXED_FILE, dash_csv
from tests.conftest import build_test_app, copy_of_template
from tests.meetings.factories import seed_meeting

OWN_AGENCY, OTHER_AGENCY = "Riverside Police", "Riverside Hospitals NHS Trust"
UNCHECKED_TABLES = {"audit_event", "user_session"}
PARAMETER = re.compile(r"<(?:\w+(?:\([^)]*\))?:)?(\w+)>")


@dataclass(frozen=True)
class World:
    ids: dict[str, object]
    users: dict[Role, int]
    other_agency_users: dict[Role, int]
    own_agency_id: int
    other_agency_id: int


@contextmanager
def world_app(database_template, folder):
    """An app on its own copy of the migrated database, for one test module."""
    with copy_of_template(database_template, folder) as url:
        with build_test_app(url, IMPORT_FOLDER=str(folder / "imports"), MARAC_AREA="Riverside") as app:
            yield app


def add_user(email: str, role: Role, agency_id: int) -> int:
    user = access_store.create_user(
        name=f"World {role.value}",
        email=email,
        agency=db.session.get(Agency, agency_id),
        role=role,
        password_hash=signin.make_password_hash("unused password for the world"),
    )
    user.must_change_password = False
    user.totp_secret = new_totp_secret()
    user.totp_enrolled_at = user.created_at
    db.session.flush()
    return user.id


def stage_import_batch(app, agency_id: int, user_id: int) -> str:
    pack = get_pack("dash-ric")
    data = dash_csv(MIXED_FILE)
    token = stage_upload(data, import_store.import_folder())
    mapping = detect_mapping(pack, list(read_table(data, "export.csv").columns))
    batch = import_store.create_batch(
        token=token,
        agency_id=agency_id,
        tool_id=pack.id,
        filename_shown="export.csv",
        mapping=mapping,
        user=db.session.get(User, user_id),
    )
    return batch.id


def seed_world(app, cases: int = 2) -> World:
    seeded = seed_meeting(app, cases=cases)
    with app.app_context():
        own, other = seeded.agency_ids[OWN_AGENCY], seeded.agency_ids[OTHER_AGENCY]
        users = {role: add_user(f"world-{role.value}@example.org", role, own) for role in Role}
        other_users = {role: add_user(f"other-{role.value}@example.org", role, other) for role in Role}
        meeting = db.session.get(Meeting, seeded.meeting_id)
        meeting.status = MeetingStatus.DISTRIBUTED
        returns = {}
        for agency_id in (own, other):
            row = ResearchReturn(agenda_item_id=seeded.item_ids[0], agency_id=agency_id, due_at=meeting.research_due_at)
            db.session.add(row)
            db.session.flush()
            returns[agency_id] = row.id
        action = Action(
            case_id=seeded.case_ids[0],
            agenda_item_id=seeded.item_ids[0],
            description="Check the address history",
            owner_agency_id=own,
            owner_name="Pat Owner",
            due_on=date.today() + timedelta(days=10),
        )
        attendance = Attendance(
            meeting_id=meeting.id, agency_id=own, attendee_name="Pat Owner", status=AttendanceStatus.PRESENT
        )
        excluded = ExcludedPerson(
            case_id=seeded.case_ids[1], name="Unmatched Outsider", recorded_by_id=seeded.referrer_id
        )
        token = access_store.create_api_token(
            agency=db.session.get(Agency, own),
            name="Police system",
            token="world-token-" + "x" * 32,
            created_by=db.session.get(User, users[Role.ADMIN]),
        )
        alert = SecurityAlert(kind=AlertKind.MANY_CASES_VIEWED, user_id=users[Role.PRACTITIONER])
        notification = Notification(user_id=users[Role.COORDINATOR], message="A notice", case_id=seeded.case_ids[0])
        db.session.add_all([action, attendance, excluded, alert, notification])
        db.session.flush()
        # A decided match (released), so the page reviewing a decision has one to open.
        clearance = DistributionClearance(
            meeting_id=meeting.id,
            excluded_person_id=excluded.id,
            user_id=seeded.referrer_id,
            decision=ClearanceDecision.RELEASE,
            decided_by_id=seeded.referrer_id,
        )
        db.session.add(clearance)
        db.session.flush()
        assessment_id = db.session.scalar(select(Assessment.id).where(Assessment.case_id == seeded.case_ids[0]))
        victim_id = victim_of(seeded.case_ids[0])
        batch_id = stage_import_batch(app, own, users[Role.AGENCY_REP])
        # The coordinator signed in on another browser too, so "Your sessions" has one to offer to end.
        other_browser = access_store.create_session(
            user=db.session.get(User, users[Role.COORDINATOR]),
            token="world-other-browser",
            stage=SessionStage.COMPLETE,
            ip="192.0.2.1",
            user_agent="Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
        )
        sar_id, sar_item_id = seed_subject_access_request(victim_id, users[Role.COORDINATOR])
        db.session.commit()
        ids = {
            "meeting_id": seeded.meeting_id,
            "item_id": seeded.item_ids[0],
            "case_id": seeded.case_ids[0],
            "referral_id": seeded.referral_ids[0],
            "action_id": action.id,
            "return_id": returns[own],
            "agency_id": own,
            "user_id": seeded.referrer_id,
            "token_id": token.id,
            "assessment_id": assessment_id,
            "person_id": victim_id,
            "batch_id": batch_id,
            "attendance_id": attendance.id,
            "excluded_person_id": excluded.id,
            "clearance_id": clearance.id,
            "alert_id": alert.id,
            "notification_id": notification.id,
            "session_id": other_browser.id,
            "filename": "app.css",
            "sar_id": sar_id,
            "sar_item_id": sar_item_id,
        }
        return World(ids, users, other_users, own, other)


def seed_subject_access_request(person_id: str, coordinator_id: int) -> tuple[int, int]:
    """A request from a victim, with everything held about her gathered and decided, so that every one of
    its pages offers its form (the close page only once nothing is left to review): (request id, an item id)."""
    coordinator = db.session.get(User, coordinator_id)
    person = db.session.get(Person, person_id)
    request = subject_access.record_request(
        requester_kind=RequesterKind.VICTIM,
        requester_name="World Victim",
        received_by=ReceivedBy.EMAIL,
        received_on=date.today() - timedelta(days=3),
        terms=subject_access.SearchTerms((f"{person.given_name} {person.family_name}",), (), ()),
        user=coordinator,
    )
    subject_access.confirm_people(request, [person_id], coordinator)
    for item in request.items:
        subject_access.decide(
            item,
            decision=ItemDecision.DISCLOSED,
            exemption=None,
            redacted_text=None,
            release_confirmed=True,
            user=coordinator,
        )
    return request.id, request.items[0].id


def victim_of(case_id: str) -> str:
    return db.session.get(Case, case_id).victim_id


def real_url(rule, ids: dict[str, object]) -> str:
    return PARAMETER.sub(lambda match: str(ids[match.group(1)]), rule.rule)


def table_fingerprints(app) -> dict[str, tuple[int, str]]:
    """Row count and a hash of the sorted rows of every table but the audit trail and sessions."""
    fingerprints = {}
    with app.app_context():
        for name in sorted(set(inspect(db.engine).get_table_names()) - UNCHECKED_TABLES):
            rows = sorted(repr(tuple(row)) for row in db.session.execute(text(f'SELECT * FROM "{name}"')))  # noqa: S608 (names from the schema)
            fingerprints[name] = (len(rows), hashlib.sha256("\n".join(rows).encode()).hexdigest())
        db.session.rollback()
    return fingerprints
