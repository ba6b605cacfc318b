"""A force-sized world in PostgreSQL (issue 20), and the five pages that must stay fast on it.

Generates 120,000 cases, 1,000,000 assessments, 5,000,000 audit rows and a year of meetings (many MARAC
series, weekly or fortnightly, with agendas, minutes, invitations, attendance and actions), with the people,
referrals, decisions, users and agencies they need, into a scratch database built by the migrations. Then,
for one coordinator (and one agency representative for the case page), times through the Flask test client
(the real app: session, policy, audit rows and templates; no HTTP server) about 30 requests each of the
referral queue, /cases searched by name and by reference, a case page with its chronology, the dashboard and
the quarterly data return, and prints each p95 beside the aim of 200 ms.

Run from the repository root:
    .venv/bin/python -m bench.force_db [--scale 1.0] [--runs 30] [--keep] [--postgres postgresql://user:pw@host/db]
--scale 0.1 makes a tenth of everything. --keep (or --generate-only) leaves the database, its URL printed, to
EXPLAIN against; --measure-only URL [--pages ...] times the pages on it again. Drop it afterwards.

The world: 60 MARAC series (areas), half weekly and half fortnightly, so each meeting hears about 60 cases;
a case a victim (one in twelve victims has two), a person causing harm and up to three children each; most
cases with several assessments and one in a hundred with 30 to 120; one referral a case, a second or third
for one in ten (heard again, with the repeat criterion); those older than ten days on the agenda of their
area's next meeting a week on, heard (with minutes and actions) or still to come; the last ten days' still in
the queue. Each meeting whose minutes were approved keeps its data return figures, as the app keeps them at
approval. The audit rows are case views and listings over every case and user, and meeting changes.

How it is made: one case is made through the app's own functions, so that the JSON an assessment, a decision
and a referral hold has the shape the app writes; its rows are then read back and cloned, with new ids, dates
and people, by COPY (psycopg 3 `cursor.copy`). The audit rows have stand-in hashes, as in bench/audit_reports:
the chain does not verify, only the queries are measured.
"""

import argparse
import json
import logging
import random
import secrets
import statistics
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta

import numpy as np
import psycopg

from access import signin
from access import store as access_store
from access.models import AgencyKind, Role
from bench.load import DEFAULT_POSTGRES
from bench.matching_quality import WITH_KEY_INDEXES, WITHOUT_KEY_INDEXES
from cases import store as cases_store
from cases.models import PartyRole, keys_of_columns
from config import normalise_database_url
from demo.cases import add_assessment, add_person, refer_now, yes_to
from extensions import db
from reports import data_return
from reports import store as reports_store
from tests.conftest import build_test_app, drop_postgres_database, give_session, migrate_to_head

AIM_MS = 200
FULL = {"cases": 120_000, "assessments": 1_000_000, "audit": 5_000_000}
SERIES = 60
"""MARAC series (areas): half meet weekly, half fortnightly, so each meeting hears about 60 cases at full size."""
AGENCIES_PER_KIND = 4
USERS_PER_AGENCY = 20
OPEN_DAYS = 10
"""Referrals received in the last ten days are still in the queue (received or accepted)."""
REFERENCE_PREFIX = "FRC"
TEMPLATE_ROWS = 1000
"""Integer ids start above this, past the rows of the one case the templates are made from."""
GIVEN = (
    "Amara Beth Chloe Dana Ella Fatima Grace Hana Isla Jade Kira Lena Maya Nia Olga Priya Rosa Sara Tara Zoe".split()
)
FAMILY = (
    "Smith Jones Taylor Brown Williams Wilson Johnson Davies Patel Wright Khan Walker Evans Roberts Green Hall "
    "Wood Clarke Okafor Nowak Murphy Hughes Ahmed Lewis Young".split()
)
ETHNICITIES = ["White"] * 8 + ["Asian or Asian British", "Black or Black British", "Mixed", None]
NOW = datetime.now(UTC).replace(microsecond=0)
TODAY = NOW.date()


def plain_url(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


@contextmanager
def scratch_database(admin_url: str, keep: bool):
    name = f"marac_force_c_{secrets.token_hex(3)}"
    with psycopg.connect(plain_url(admin_url), autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name}")
    url = normalise_database_url(plain_url(admin_url).rsplit("/", 1)[0] + "/" + name)
    try:
        yield url
    finally:
        if keep:
            print(f"kept: {plain_url(url)}")
        else:
            drop_postgres_database(name, admin_url=plain_url(admin_url))


# COPY text format: a value is written as text, with backslash, tab and newlines escaped, and \N for NULL.


def copy_value(value) -> str:
    if value is None:
        return "\\N"
    if value is True or value is False:
        return "t" if value else "f"
    text = str(value)
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        text = text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return text


def copy_rows(connection, table: str, columns: list[str], rows) -> int:
    """COPY rows (tuples in `columns` order) into `table`, in chunks of text lines; returns how many."""
    count, chunk = 0, []
    with connection.cursor().copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            chunk.append("\t".join(map(copy_value, row)))
            count += 1
            if len(chunk) == 20_000:
                copy.write("\n".join(chunk) + "\n")
                chunk = []
        if chunk:
            copy.write("\n".join(chunk) + "\n")
    return count


def uuid_for(kind: int, number: int) -> str:
    """A unique, valid-looking UUID per table (kind) and row number, without asking the uuid module 2M times."""
    return f"{kind:08x}-0000-4000-8000-{number:012x}"


def iso(moment: datetime) -> str:
    """As UTCDateTime stores it: naive UTC."""
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ")


# The templates: one case made through the app, read back as stored.


def make_templates(app) -> dict:
    """One case with assessments of several scores and a referral, made by the app's own functions."""
    with app.app_context():
        agency = access_store.create_agency(name="Template Police", kind=AgencyKind.POLICE)
        user = access_store.create_user(
            name="Template User",
            email="template@example.org",
            agency=agency,
            role=Role.PRACTITIONER,
            password_hash=signin.make_password_hash("unused bench password"),
        )
        case = cases_store.create_case(
            victim=add_person(agency.id, "Template", "Victim", date(1990, 1, 1), "RV1 2AB"),
            marac_area="Template",
            agency_id=agency.id,
        )
        cases_store.add_party(case, add_person(agency.id, "Template", "Harm", date(1985, 1, 1)), PartyRole.PERPETRATOR)
        for yes in (6, 10, 14, 15, 18, 22):
            add_assessment(case, user, "dash-ric", yes_to(yes), TODAY - timedelta(days=30))
        refer_now(case, user, TODAY, "Template")
        db.session.commit()
        case_id = case.id
    with psycopg.connect(plain_url(app.config["SQLALCHEMY_DATABASE_URI"])) as connection:
        return {
            "assessment": rows_as_text(connection, "assessment", "case_id", case_id),
            "eligibility_decision": rows_as_text(connection, "eligibility_decision", "case_id", case_id),
            "referral": rows_as_text(connection, "referral", "case_id", case_id),
        }


def rows_as_text(connection, table: str, key: str, value: str) -> list[dict]:
    columns = [
        name
        for (name,) in connection.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = %s ORDER BY ordinal_position",
            (table,),
        )
    ]
    select_list = ", ".join(f"{column}::text" for column in columns)
    # The table and key are this module's constants and the columns come from the schema, never from input.
    rows = connection.execute(f"SELECT {select_list} FROM {table} WHERE {key} = %s", (value,)).fetchall()  # nosec B608
    return [dict(zip(columns, row)) for row in rows]


def cloned(templates: list[dict], rng: random.Random, **changes) -> tuple:
    """A template row (in its columns' order) with `changes` made."""
    return tuple(changes.get(column, value) for column, value in rng.choice(templates).items())


# The world.


class World:
    """Ids and shapes shared between the tables as they are generated."""

    def __init__(self, scale: float, seed: int = 20):
        self.rng = random.Random(seed)
        self.np = np.random.default_rng(seed)
        self.cases = int(FULL["cases"] * scale)
        self.assessments = int(FULL["assessments"] * scale)
        self.audit = int(FULL["audit"] * scale)
        self.areas = [f"Force area {number:02d}" for number in range(1, SERIES + 1)]
        self.agency_ids: dict[str, list[int]] = {}
        self.user_ids: list[int] = []
        self.users_of: dict[int, list[int]] = {}


def agencies_and_users(connection, world: World) -> None:
    agencies, users, agency_id, user_id = [], [], 1000, 1000
    created = iso(NOW - timedelta(days=400))
    for kind in AgencyKind:
        for number in range(1, AGENCIES_PER_KIND + 1):
            agency_id += 1
            agencies.append((agency_id, f"Force {kind.value} {number}", kind.value, created))
            world.agency_ids.setdefault(kind.value, []).append(agency_id)
            for _ in range(USERS_PER_AGENCY):
                user_id += 1
                role = Role.PRACTITIONER if user_id % 3 else Role.AGENCY_REP
                users.append(
                    (user_id, f"Force user {user_id}", f"force{user_id}@example.org", agency_id, role.value, True)
                    + (False, "not a hash", False, 0, created)
                )
                world.user_ids.append(user_id)
                world.users_of.setdefault(agency_id, []).append(user_id)
    copy_rows(connection, "agency", ["id", "name", "kind", "created_at"], agencies)
    columns = (
        "id name email agency_id role active is_demo password_hash must_change_password failed_attempts created_at"
    )
    copy_rows(connection, "user_account", columns.split(), users)


def people_and_cases(connection, world: World) -> dict:
    """Victims, people causing harm and children; a case each victim (some have two)."""
    rng, cases = world.rng, world.cases
    all_agencies = [agency for ids in world.agency_ids.values() for agency in ids]
    people, parties, case_rows = [], [], []
    facts = {"case_area": [], "case_agency": [], "case_created": [], "victim_of": []}
    person_number, party_id = 0, TEMPLATE_ROWS

    def person(given, family, born, postcode, gender, agency, created):
        nonlocal person_number
        person_number += 1
        person_id = uuid_for(1, person_number)
        ethnicity = rng.choice(ETHNICITIES)
        people.append(
            (person_id, given, family, "[]", born, "[]", postcode, gender, ethnicity)
            + (rng.choice(["Yes", "No", "No", "No", None]), False, agency, created)
        )
        return person_id

    victim = None
    for number in range(1, cases + 1):
        created_at = NOW - timedelta(seconds=rng.randrange(365 * 86400))
        created, area = iso(created_at), rng.choice(world.areas)
        agency = rng.choice(all_agencies)
        if victim is None or rng.random() > 0.08:  # one victim in twelve has a second case
            born = date(1950, 1, 1) + timedelta(days=rng.randrange(18_000))
            gender = "Male" if rng.random() < 0.06 else "Female"
            postcode = (
                f"FC{rng.randrange(1, 40)} {rng.randrange(1, 10)}{rng.choice('ABDEFGHJ')}{rng.choice('LNPQRSTU')}"
            )
            victim = person(rng.choice(GIVEN), rng.choice(FAMILY), born, postcode, gender, agency, created)
        case_id = uuid_for(2, number)
        reference = f"{REFERENCE_PREFIX}-{created_at.year}-{number:04d}"
        case_rows.append((case_id, reference, victim, area, "open", agency, created, 1))
        harm_born = date(1955, 1, 1) + timedelta(days=rng.randrange(18_000))
        harm = person(rng.choice(GIVEN), rng.choice(FAMILY), harm_born, None, "Male", agency, created)
        party_id += 1
        parties.append((party_id, case_id, harm, PartyRole.PERPETRATOR.value, "ex-partner"))
        for _ in range(rng.choice((0, 0, 1, 1, 2, 3))):
            born = date(2010, 1, 1) + timedelta(days=rng.randrange(5000))
            child = person(rng.choice(GIVEN), rng.choice(FAMILY), born, None, None, agency, created)
            party_id += 1
            parties.append((party_id, case_id, child, PartyRole.CHILD.value, "child"))
        facts["case_area"].append(area)
        facts["case_agency"].append(agency)
        facts["case_created"].append(created_at)
        facts["victim_of"].append(victim)
    person_columns = (
        "id given_name family_name aliases date_of_birth date_of_birth_variants postcode gender ethnicity "
        "disability interpreter_needed created_by_agency_id created_at"
    )
    copy_rows(connection, "person", person_columns.split(), people)
    facts["match keys"] = match_keys(connection, people)
    copy_rows(
        connection,
        "marac_case",
        "id reference victim_id marac_area status created_by_agency_id created_at version_id".split(),
        case_rows,
    )
    copy_rows(connection, "case_party", "id case_id person_id role relationship_to_victim".split(), parties)
    facts["people"] = len(people)
    return facts


def match_keys(connection, people: list[tuple]) -> int:
    """Each person's blocking keys, as the app writes them (cases.models.keys_of_columns): without them Find a case
    by name finds no one, and the page timed is a search that finds nothing. The key index is built after the load,
    as a restore does."""
    for statement in WITHOUT_KEY_INDEXES:
        connection.execute(statement)
    count = copy_rows(connection, "person_match_key", ["key", "person_id"], keys_of_people(people))
    for statement in WITH_KEY_INDEXES:
        connection.execute(statement)
    return count


def keys_of_people(people: list[tuple]) -> Iterator[tuple[str, str]]:
    for person_id, given, family, _, born, _, postcode, *_ in people:
        row = {"id": person_id, "given_name": given, "family_name": family, "date_of_birth": born, "postcode": postcode}
        for key in keys_of_columns(row):
            yield key, person_id


def assessments(connection, world: World, facts: dict, templates: dict) -> int:
    """Most cases have several assessments, some many: about `world.assessments` in all."""
    per_case = 1 + world.np.negative_binomial(2, 2 / (2 + 5.8), size=world.cases)
    busy = world.np.random(world.cases) < 0.01
    per_case[busy] += world.np.integers(30, 120, size=int(busy.sum()))
    per_case = np.maximum(1, np.round(per_case * (world.assessments / per_case.sum())).astype(int))
    rng, number = world.rng, 0

    def rows():
        nonlocal number
        for index, count in enumerate(per_case):
            case_id, agency = uuid_for(2, index + 1), facts["case_agency"][index]
            opened = facts["case_created"][index]
            for _ in range(count):
                number += 1
                moment = opened + timedelta(seconds=rng.randrange(1, 30 * 86400))
                yield cloned(
                    templates["assessment"],
                    rng,
                    id=uuid_for(3, number),
                    case_id=case_id,
                    assessed_on=moment.date().isoformat(),
                    assessor_id=rng.choice(world.users_of[agency]),
                    agency_id=agency,
                    created_at=iso(moment),
                    updated_at=iso(moment),
                    status="complete" if rng.random() < 0.95 else "draft",
                    supersedes_id=None,
                    change_key=None,
                )

    columns = list(templates["assessment"][0])
    return copy_rows(connection, "assessment", columns, rows())


def meeting_days(world: World) -> dict[str, list[datetime]]:
    """A year of meetings per series, back from today and four weeks on."""
    days = {}
    for index, area in enumerate(world.areas):
        every = 7 if index % 2 == 0 else 14
        first = NOW.replace(hour=10, minute=0, second=0) - timedelta(days=365 - index % every)
        count = (365 + 28) // every
        days[area] = [first + timedelta(days=every * step) for step in range(count + 1)]
    return days


def referrals_and_meetings(connection, world: World, facts: dict, templates: dict) -> dict:
    """One referral a case, and a second or third for some (heard again); those older than ten days are on the
    agenda of their area's next meeting a week on: heard if it has been, placed if it is still to come."""
    rng = world.rng
    days = meeting_days(world)
    meeting_rows, meeting_id_of = [], {}
    meeting_id = 0
    for area, starts in days.items():
        for starts_at in starts:
            meeting_id += 1
            held = starts_at < NOW
            status = "distributed" if starts_at < NOW - timedelta(days=14) else ("minutes-draft" if held else "planned")
            meeting_rows.append(
                (meeting_id, area, iso(starts_at), "Civic centre", False, None, 80, 10, status, "scheduled")
                + (iso(starts_at - timedelta(days=3)), iso(starts_at - timedelta(days=7)), None, 1, iso(starts_at))
            )
            meeting_id_of[(area, starts_at)] = meeting_id
    columns = (
        "id area starts_at venue online chair_id capacity minutes_per_case status kind research_due_at "
        "list_issued_at distributed_at version_id created_at"
    )
    copy_rows(connection, "meeting", columns.split(), meeting_rows)

    decisions, referrals, items, minutes, actions, queue = [], [], [], [], [], 0
    referral_number, decision_id, item_id, action_id = 0, TEMPLATE_ROWS, 0, 0
    positions: dict[int, int] = {}
    for index in range(world.cases):
        case_id, area, agency = uuid_for(2, index + 1), facts["case_area"][index], facts["case_agency"][index]
        received_at = facts["case_created"][index] + timedelta(hours=2)
        for heard_before in range(rng.choice((1,) * 17 + (2, 2, 3))):
            if received_at >= NOW:
                break
            referral_number += 1
            decision_id += 1
            referral_id = uuid_for(4, referral_number)
            referrer = rng.choice(world.users_of[agency])
            decisions.append(
                cloned(
                    templates["eligibility_decision"],
                    rng,
                    id=decision_id,
                    case_id=case_id,
                    evaluated_on=received_at.date().isoformat(),
                    evaluated_by_id=referrer,
                    created_at=iso(received_at),
                )
            )
            meeting_at = next((day for day in days[area] if day >= received_at + timedelta(days=7)), None)
            open_now = received_at > NOW - timedelta(days=OPEN_DAYS) or meeting_at is None
            state = ("received" if rng.random() < 0.5 else "accepted") if open_now else None
            if state is None and meeting_at is not None:
                state = "heard" if meeting_at < NOW else "scheduled"
            if rng.random() < 0.03 and not open_now:
                state = rng.choice(("declined", "withdrawn"))
            queue += open_now
            template = templates["referral"][0]
            criteria = json.loads(template["criteria"])
            if heard_before:
                criteria = [*criteria, "repeat"]
            referrals.append(
                cloned(
                    templates["referral"],
                    rng,
                    id=referral_id,
                    case_id=case_id,
                    decision_id=decision_id,
                    criteria=json.dumps(criteria),
                    referrer_id=referrer,
                    agency_id=agency,
                    state=state,
                    idempotency_key=referral_id,
                    received_at=iso(received_at),
                    updated_at=iso(received_at),
                    state_changed_at=iso(received_at),
                    triaged_at=None if state == "received" else iso(received_at + timedelta(days=1)),
                )
            )
            if state in ("heard", "scheduled"):
                meeting = meeting_id_of[(area, meeting_at)]
                positions[meeting] = position = positions.get(meeting, 0) + 1
                item_id += 1
                slot = meeting_at + timedelta(minutes=10 * position)
                items.append(
                    (
                        item_id,
                        meeting,
                        referral_id,
                        position,
                        "adult-only",
                        iso(slot),
                        iso(slot + timedelta(minutes=10)),
                    )
                    + ("[]", iso(received_at + timedelta(days=2)), None, None, None)
                )
                if state == "heard":
                    outcome = "repeat" if heard_before else "new"
                    minutes.append(
                        (item_id, item_id, "Her views", "Shared", "High", "", "", "", "Actions agreed", "{}", outcome)
                    )
                    for _ in range(rng.choice((1, 2, 2, 3))):
                        action_id += 1
                        owner = rng.choice(rng.choice(list(world.agency_ids.values())))
                        due = (meeting_at + timedelta(days=rng.randrange(7, 42))).date()
                        done = due < TODAY and rng.random() < 0.8
                        actions.append(
                            (action_id, case_id, item_id, "Safety plan reviewed", owner, "Named officer", due)
                            + (
                                "done" if done else "open",
                                None,
                                due if done else None,
                                iso(meeting_at),
                                iso(meeting_at),
                            )
                            + (1,)
                        )
            received_at += timedelta(days=rng.randrange(60, 200))
    decision_columns = list(templates["eligibility_decision"][0])
    copy_rows(connection, "eligibility_decision", decision_columns, decisions)
    copy_rows(connection, "referral", list(templates["referral"][0]), referrals)
    item_columns = (
        "id meeting_id referral_id position section starts_at ends_at flags placed_at not_heard_at "
        "victim_age_band young_perpetrators_anonymised"
    )
    copy_rows(connection, "agenda_item", item_columns.split(), items)
    minutes_columns = (
        "id agenda_item_id victim_views information_shared risks_to_victim risks_to_children risks_to_others "
        "risks_to_professionals decisions agency_information outcome"
    )
    copy_rows(
        connection,
        "case_minutes",
        minutes_columns.split() + ["updated_at", "version_id"],
        (row + (iso(NOW), 1) for row in minutes),
    )
    action_columns = (
        "id case_id agenda_item_id description owner_agency_id owner_name due_on status completion_note "
        "completed_on created_at updated_at version_id"
    )
    copy_rows(connection, "marac_action", action_columns.split(), actions)
    invitations_and_attendance(connection, world, meeting_rows)
    return {
        "meetings": len(meeting_rows),
        "referrals": len(referrals),
        "agenda items": len(items),
        "actions": len(actions),
        "open referrals": queue,
    }


def invitations_and_attendance(connection, world: World, meeting_rows: list[tuple]) -> None:
    """Each meeting invites one agency of each kind; most of them attend the meetings held."""
    invitations, attendance, number = [], [], 0
    for row in meeting_rows:
        meeting_id, held = row[0], row[8] != "planned"
        for kind, ids in world.agency_ids.items():
            number += 1
            agency = ids[meeting_id % len(ids)]
            invitations.append((number, meeting_id, agency))
            if held:
                status = "present" if world.rng.random() < 0.85 else "apologies"
                attendance.append((number, meeting_id, agency, f"Rep {kind}", status, True))
    copy_rows(connection, "invitation", ["id", "meeting_id", "agency_id"], invitations)
    copy_rows(
        connection,
        "attendance",
        ["id", "meeting_id", "agency_id", "attendee_name", "status", "information_sent"],
        attendance,
    )


def audit_rows(connection, world: World, first_id: int) -> int:
    """Audit rows over the year: most are case views and listings, spread over every case and user."""
    rng, span = world.rng, 365 * 86400
    started = NOW - timedelta(days=365)
    users, cases = world.user_ids, world.cases

    def rows():
        for offset in range(world.audit):
            number = first_id + offset
            moment = started + timedelta(seconds=span * offset / world.audit)
            user = users[rng.randrange(len(users))]
            about = rng.random()
            if about < 0.8:
                action, kind, object_id = ("case-viewed" if about < 0.6 else "case-listed"), "case", None
                object_id = uuid_for(2, 1 + rng.randrange(cases))
            else:
                action, kind, object_id = "meeting-changed", "meeting", str(1 + rng.randrange(2000))
            stand_in = f"{number:064x}"
            yield (number, iso(moment), user, None, action, kind, object_id, "10.0.0.1", f"{number - 1:064x}", stand_in)

    columns = "id occurred_at user_id agency_id action object_type object_id ip prev_hash row_hash".split()
    return copy_rows(connection, "audit_event", columns, rows())


def generate(url: str, scale: float) -> dict:
    """The world, into a migrated database; returns counts and seconds per stage."""
    world, figures, started = World(scale), {}, time.perf_counter()
    with build_test_app(url) as app:
        templates = make_templates(app)
    with psycopg.connect(plain_url(url)) as connection:
        agencies_and_users(connection, world)
        facts = people_and_cases(connection, world)
        figures["people"] = facts["people"]
        figures["assessments"] = assessments(connection, world, facts, templates)
        figures |= referrals_and_meetings(connection, world, facts, templates)
        last_id = connection.execute("SELECT coalesce(max(id), 0) FROM audit_event").fetchone()[0]
        figures["audit rows"] = audit_rows(connection, world, last_id + 1)
        reset_sequences(connection)
        connection.commit()
    keep_approved_meetings_figures(url)
    with psycopg.connect(plain_url(url)) as connection:
        figures["loaded s"] = time.perf_counter() - started
        connection.autocommit = True
        connection.execute("VACUUM ANALYZE")
    figures["cases"] = world.cases
    figures["generated s"] = time.perf_counter() - started
    return figures


def keep_approved_meetings_figures(url: str) -> None:
    """Each meeting whose minutes were approved keeps its data return figures, as the app keeps them at approval."""
    with build_test_app(url) as app, app.app_context():
        # The meetings span a year back from today (meeting_days).
        data_return.keep_figures(reports_store.list_meetings_approved(TODAY - timedelta(days=366), TODAY))
        db.session.commit()


def reset_sequences(connection) -> None:
    """COPY sets ids itself, so each serial id's sequence is moved past the rows loaded."""
    for table, column in connection.execute(
        "SELECT table_name, column_name FROM information_schema.columns "
        "WHERE column_default LIKE 'nextval%%' AND table_schema = 'public'"
    ).fetchall():
        connection.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', '{column}'), "  # nosec B608: names of our own tables
            f"(SELECT coalesce(max({column}), 0) + 1 FROM {table}), false)"
        )


# Measuring: one user at a time, through the app.


def bench_user(app, role: Role, agency_id: int) -> int:
    with app.app_context():
        user = access_store.get_user_by_email(f"bench-{role.value}@example.org") or access_store.create_user(
            name=f"Bench {role.value}",
            email=f"bench-{role.value}@example.org",
            agency=access_store.get_agency(agency_id),
            role=role,
            password_hash=signin.make_password_hash("unused bench password"),
        )
        user.must_change_password = False
        db.session.commit()
        return user.id


def p95(times: list[float]) -> float:
    return statistics.quantiles(times, n=20)[-1] if len(times) > 1 else times[0]


def timed_requests(client, send, runs: int) -> float:
    """p95 in ms of `runs` requests after one warm-up; any answer but 200 stops the run."""
    times = []
    for run in range(runs + 1):
        started = time.perf_counter()
        response = send(run)
        elapsed = time.perf_counter() - started
        if response.status_code != 200:
            # The path and status only: a page's body names people.
            raise SystemExit(f"{response.request.path} answered {response.status_code}")
        if run:
            times.append(elapsed * 1000)
    return p95(times)


def pick_cases(url: str, agency_id: int, count: int) -> tuple[list[tuple], list[tuple], list[str]]:
    """Cases (id, reference) for the coordinator, a third of them those with the most assessments; cases
    the agency opened, for its representative; and names of victims to search by."""
    reference = "SELECT c.id, c.reference FROM marac_case c "
    with psycopg.connect(plain_url(url)) as connection:
        busy = connection.execute(
            reference  # nosec B608: a fixed query of this module's, with the limit bound
            + "JOIN (SELECT case_id FROM assessment GROUP BY case_id ORDER BY count(*) DESC LIMIT %s) AS a "
            "ON a.case_id = c.id",
            (count // 3,),
        ).fetchall()
        some = connection.execute(reference + "ORDER BY md5(c.id) LIMIT %s", (count - len(busy),)).fetchall()
        agency = connection.execute(
            reference + "WHERE c.created_by_agency_id = %s ORDER BY md5(c.id) LIMIT %s", (agency_id, count)
        ).fetchall()
        names = connection.execute(
            "SELECT p.given_name || ' ' || p.family_name FROM marac_case c JOIN person p ON p.id = c.victim_id "
            "ORDER BY md5(c.id) LIMIT %s",
            (count,),
        ).fetchall()
    return busy + some, agency, [name for (name,) in names]


PAGES = (
    "queue",
    "find by name",
    "find by reference",
    "case page (coordinator)",
    "case page (agency rep)",
    "dashboard",
    "data return",
)


def finding_a_case(response):
    """A search by a victim's name that lists no case is not the page meant to be timed (the generated people once
    had no blocking keys, so every search found no one)."""
    if response.status_code == 200 and f"{REFERENCE_PREFIX}-".encode() not in response.data:
        raise SystemExit("a search by a victim's name found no case")
    return response


def measure_pages(url: str, runs: int, pages=PAGES) -> dict:
    """p95 in ms of each page asked for, in the order of PAGES."""
    logging.getLogger("marac").setLevel(logging.WARNING)
    # The garbage collector as a served app settles it (the tests' settings leave it alone).
    with build_test_app(url, SETTLE_GARBAGE_COLLECTOR=True) as app:
        with app.app_context():
            rep_agency = access_store.get_agency_by_name(f"Force {AgencyKind.HEALTH.value} 1").id
        coordinator = app.test_client()
        give_session(app, coordinator, bench_user(app, Role.COORDINATOR, rep_agency))
        rep = app.test_client()
        give_session(app, rep, bench_user(app, Role.AGENCY_REP, rep_agency))
        cases, rep_cases, names = pick_cases(url, rep_agency, runs + 1)
        requests = {
            "queue": (coordinator, lambda run: coordinator.get(f"/referrals?page={1 + run % 3}")),
            "find by name": (
                coordinator,
                lambda run: finding_a_case(coordinator.post("/cases", data={"name": names[run % len(names)]})),
            ),
            "find by reference": (
                coordinator,
                lambda run: coordinator.post("/cases", data={"reference": cases[run % len(cases)][1]}),
            ),
            "case page (coordinator)": (
                coordinator,
                lambda run: coordinator.get(f"/cases/{cases[run % len(cases)][0]}"),
            ),
            "case page (agency rep)": (rep, lambda run: rep.get(f"/cases/{rep_cases[run % len(rep_cases)][0]}")),
            "dashboard": (coordinator, lambda run: coordinator.get("/reports/dashboard")),
            "data return": (coordinator, lambda run: coordinator.get("/reports/data-return")),
        }
        return {page: timed_requests(*requests[page], runs) for page in PAGES if page in pages}


def measure(scale: float = 1.0, runs: int = 30, postgres: str = DEFAULT_POSTGRES, keep: bool = False) -> dict:
    with scratch_database(postgres, keep) as url:
        migrate_to_head(url)
        figures = generate(url, scale)
        print(f"generated in {figures['generated s']:.0f} s: {describe(figures)}", flush=True)
        figures["p95 ms"] = measure_pages(url, runs)
    figures["runs"] = runs
    return figures


def describe(figures: dict) -> str:
    names = ("cases", "people", "assessments", "referrals", "open referrals", "meetings", "agenda items", "actions")
    return ", ".join(f"{figures[name]:,} {name}" for name in names + ("audit rows",))


def force_rows(figures: dict) -> list[tuple]:
    """As bench/run_all prints them: metric, value, aim, met?"""
    rows = [
        (
            f"force-sized PostgreSQL: {figures['cases']:,} cases, {figures['assessments']:,} assessments, "
            f"{figures['audit rows']:,} audit rows, {figures['meetings']:,} meetings",
            f"generated in {figures['generated s']:.0f} s",
            "minutes, not hours",
            "-",
        )
    ]
    for page, value in figures["p95 ms"].items():
        rows.append(
            (
                f"force-sized: {page}, p95 of {figures['runs']}, one user",
                f"{value:,.0f} ms",
                f"<= {AIM_MS} ms",
                "yes" if value <= AIM_MS else "NO",
            )
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="1.0 is 120,000 cases; 0.1 a tenth of everything")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards (its URL is printed)")
    parser.add_argument("--postgres", default=DEFAULT_POSTGRES, help="a PostgreSQL URL whose role may create databases")
    parser.add_argument("--generate-only", action="store_true", help="make the database and measure nothing")
    parser.add_argument("--measure-only", metavar="URL", help="time the pages on a database made before with --keep")
    parser.add_argument("--pages", nargs="+", choices=PAGES, default=PAGES, help="with --measure-only: these pages")
    options = parser.parse_args()
    if options.measure_only:
        url = normalise_database_url(options.measure_only)
        for page, value in measure_pages(url, options.runs, options.pages).items():
            print(f"{page}: p95 {value:,.0f} ms (aim <= {AIM_MS} ms)")
        return
    if options.generate_only:
        with scratch_database(options.postgres, True) as url:
            migrate_to_head(url)
            figures = generate(url, options.scale)
            print(f"generated in {figures['generated s']:.0f} s: {describe(figures)}")
        return
    for metric, value, aim, met in force_rows(measure(options.scale, options.runs, options.postgres, options.keep)):
        print(f"{metric}: {value} (aim {aim or '-'}, met: {met})")


if __name__ == "__main__":
    main()
