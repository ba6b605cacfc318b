"""Retention of the cases package's own tables (SECURITY D5): legal holds, when a case's retention
period is counted from when it was never heard, and what anonymising a case removes from these tables.

Anonymising keeps the rows the data return and dashboard count (the case, its referrals' dates, states,
criteria and agencies, its parties' roles, the victims' gender, ethnicity, disability and sexuality) and
empties every field that identifies someone or was typed about them. reports/retention.py runs it, one
case per transaction, with the other packages' parts.
"""

from datetime import date, datetime

from sqlalchemy import delete, func, select, update

from access.audit import AuditAction, record_event
from access.models import User
from cases.chronology import UK_TIME
from cases.models import (
    BreakGlassGrant,
    Case,
    CaseParty,
    ClearanceReview,
    DistributionClearance,
    ExcludedPerson,
    Incident,
    LegalHold,
    Person,
    PersonMatchKey,
    Referral,
    ReferralDraft,
    SafeContact,
    VictimLinkProposal,
)
from extensions import db, utcnow
from risk.models import Assessment

# Legal holds


def hold_in_force(case_id: str) -> LegalHold | None:
    return db.session.scalars(
        select(LegalHold).where(LegalHold.case_id == case_id, LegalHold.lifted_at.is_(None))
    ).first()


def holds_in_force() -> dict[str, LegalHold]:
    """Case id -> the legal hold in force on it."""
    return {hold.case_id: hold for hold in db.session.scalars(select(LegalHold).where(LegalHold.lifted_at.is_(None)))}


def set_hold(case: Case, reason: str, user: User) -> LegalHold:
    """The reason may describe the case, so it is kept on the hold and the audit trail holds only ids."""
    lock_case(case.id)
    hold = LegalHold(case_id=case.id, reason=reason, set_by_id=user.id, set_at=utcnow())
    db.session.add(hold)
    db.session.flush()
    record_event(AuditAction.LEGAL_HOLD_SET, user=user, object_type="case", object_id=case.id)
    return hold


def lift_hold(hold: LegalHold, reason: str, user: User) -> None:
    hold.lifted_reason, hold.lifted_by_id, hold.lifted_at = reason, user.id, utcnow()
    db.session.flush()
    record_event(AuditAction.LEGAL_HOLD_LIFTED, user=user, object_type="case", object_id=hold.case_id)


# When a case is due


def cases_kept() -> list[tuple[str, str]]:
    """(id, reference) of every case not yet anonymised, oldest reference first."""
    query = select(Case.id, Case.reference).where(Case.anonymised_at.is_(None)).order_by(Case.reference)
    return [tuple(row) for row in db.session.execute(query)]


def lock_case(case_id: str) -> Case | None:
    """The case, its row locked until the transaction ends (PostgreSQL), so a legal hold being set and the
    retention run anonymising the case take turns: the later one sees what the earlier one did."""
    return db.session.scalars(select(Case).where(Case.id == case_id).with_for_update()).first()


def is_anonymised(case_id: str) -> bool:
    return db.session.scalar(select(Case.anonymised_at).where(Case.id == case_id)) is not None


def latest_activity_dates() -> dict[str, date]:
    """Case id -> the day of its latest referral or assessment, else the day it was opened: what a case never
    heard at a MARAC counts its retention from, and a heard one too when later (of every case not anonymised;
    latest_activity_of gives one case's from its rows)."""
    latest: dict[str, date] = {}

    def keep_later(found: str, day: date) -> None:
        if day is not None and (found not in latest or day > latest[found]):
            latest[found] = day

    for found, received in db.session.execute(
        select(Referral.case_id, func.max(Referral.received_at))
        .where(Referral.case_id.is_not(None))
        .group_by(Referral.case_id)
    ):
        keep_later(found, uk_date(received))
    for found, assessed in db.session.execute(
        select(Assessment.case_id, func.max(Assessment.assessed_on))
        .where(Assessment.case_id.is_not(None))
        .group_by(Assessment.case_id)
    ):
        keep_later(found, assessed)
    # The day it was opened counts only for a case with neither (a case imported long after it was opened
    # would otherwise count from the import).
    for found, opened in db.session.execute(select(Case.id, Case.created_at).where(Case.anonymised_at.is_(None))):
        latest.setdefault(found, uk_date(opened))
    return latest


def latest_activity_of(case: Case, referrals: list[Referral], assessments: list[Assessment]) -> date:
    """The day latest_activity_dates gives one case not anonymised, from every referral and every version of
    every assessment of it already read (the case page has them for its history), so the page need not ask
    again."""
    days = [uk_date(referral.received_at) for referral in referrals if referral.received_at is not None]
    days += [assessment.assessed_on for assessment in assessments if assessment.assessed_on is not None]
    return max(days) if days else uk_date(case.created_at)


def uk_date(moment: datetime) -> date:
    return moment.astimezone(UK_TIME).date()


# Anonymising a case


def people_on_cases(case_ids: list[str]) -> dict[str, set[str]]:
    """Person id -> the cases (of these) that name them: as victim, party, proposed victim or person who
    caused an incident."""
    named: dict[str, set[str]] = {}
    queries = (
        select(Case.victim_id, Case.id).where(Case.id.in_(case_ids)),
        select(CaseParty.person_id, CaseParty.case_id).where(CaseParty.case_id.in_(case_ids)),
        select(VictimLinkProposal.person_id, VictimLinkProposal.case_id).where(
            VictimLinkProposal.case_id.in_(case_ids)
        ),
        select(Incident.perpetrator_id, Incident.case_id).where(
            Incident.case_id.in_(case_ids), Incident.perpetrator_id.is_not(None)
        ),
    )
    for query in queries:
        for person_id, case_id in db.session.execute(query):
            named.setdefault(person_id, set()).add(case_id)
    return named


def people_to_anonymise(case_id: str) -> list[str]:
    """The people on this case who are on no other case still holding its records (one not anonymised: due,
    not due, on hold, or left as it was when its own anonymising failed). Read in the caller's transaction, so
    a person shared by two due cases keeps every detail until the second of them is anonymised too."""
    on_this_case = set(people_on_cases([case_id]))
    if not on_this_case:
        return []
    everywhere = people_on_cases_of([*on_this_case])
    other_cases = {named for cases in everywhere.values() for named in cases} - {case_id}
    still_held = cases_not_anonymised(other_cases)
    return sorted(person_id for person_id in on_this_case if not (everywhere.get(person_id, set()) & still_held))


def cases_not_anonymised(case_ids: set[str]) -> set[str]:
    if not case_ids:
        return set()
    query = select(Case.id).where(Case.id.in_(sorted(case_ids)), Case.anonymised_at.is_(None))
    return set(db.session.scalars(query))


def people_on_cases_of(person_ids: list[str]) -> dict[str, set[str]]:
    """Person id -> every case that names them, in any way people_on_cases counts."""
    named: dict[str, set[str]] = {}
    queries = (
        select(Case.victim_id, Case.id).where(Case.victim_id.in_(person_ids)),
        select(CaseParty.person_id, CaseParty.case_id).where(CaseParty.person_id.in_(person_ids)),
        select(VictimLinkProposal.person_id, VictimLinkProposal.case_id).where(
            VictimLinkProposal.person_id.in_(person_ids)
        ),
        select(Incident.perpetrator_id, Incident.case_id).where(Incident.perpetrator_id.in_(person_ids)),
    )
    for query in queries:
        for person_id, case_id in db.session.execute(query):
            named.setdefault(person_id, set()).add(case_id)
    return named


def unnamed_people_before(cutoff: datetime) -> list[str]:
    """People no case names (a victim typed before the coordinator linked her case to someone already
    known, for one), recorded before the cutoff and not yet cleared: nothing would ever anonymise them."""
    named = [
        select(Case.victim_id),
        select(CaseParty.person_id),
        select(VictimLinkProposal.person_id),
        select(Incident.perpetrator_id).where(Incident.perpetrator_id.is_not(None)),
    ]
    query = select(Person.id).where(
        Person.created_at < cutoff, Person.given_name != "", *(Person.id.not_in(each) for each in named)
    )
    return list(db.session.scalars(query.order_by(Person.id)))


def clear_unnamed_people(cutoff: datetime) -> int:
    people = unnamed_people_before(cutoff)
    clear_people(people)
    return len(people)


def clear_people(person_ids: list[str]) -> None:
    """Names, aliases, dates of birth, address, postcode and language go, and the keys made from them (match keys);
    the gender, ethnicity, disability and sexuality the data return counts stay, as no one can be named from them
    alone."""
    if not person_ids:
        return
    db.session.execute(
        update(Person)
        .where(Person.id.in_(person_ids))
        .values(
            given_name="",
            family_name="",
            aliases=[],
            date_of_birth=None,
            date_of_birth_variants=[],
            postcode=None,
            address=None,
            language=None,
        )
        .execution_options(synchronize_session=False)
    )
    db.session.execute(delete(PersonMatchKey).where(PersonMatchKey.person_id.in_(person_ids)))


def clear_case_records(case_id: str) -> None:
    """Everything of the case's own that was typed about someone, and the safe contact, exclusion list and
    unsent drafts, whole. The rows counted stay."""
    excluded_ids = select(ExcludedPerson.id).where(ExcludedPerson.case_id == case_id)
    clearance_ids = select(DistributionClearance.id).where(DistributionClearance.excluded_person_id.in_(excluded_ids))
    statements = (
        delete(ClearanceReview).where(ClearanceReview.clearance_id.in_(clearance_ids)),
        delete(DistributionClearance).where(DistributionClearance.excluded_person_id.in_(excluded_ids)),
        delete(ExcludedPerson).where(ExcludedPerson.case_id == case_id),
        delete(SafeContact).where(SafeContact.case_id == case_id),
        delete(ReferralDraft).where(ReferralDraft.case_id == case_id),
        delete(VictimLinkProposal).where(VictimLinkProposal.case_id == case_id),
        update(Referral)
        .where(Referral.case_id == case_id)
        .values(
            no_consent_reason=None,
            state_reason=None,
            risk_summary=None,
            victim_wants=None,
            referrer_phone=None,
            referrer_email=None,
            other_agencies_note=None,
        ),
        update(CaseParty).where(CaseParty.case_id == case_id).values(relationship_to_victim=None),
        update(Incident).where(Incident.case_id == case_id).values(reference=None),
        update(BreakGlassGrant).where(BreakGlassGrant.case_id == case_id).values(reason=""),
        update(LegalHold).where(LegalHold.case_id == case_id).values(reason="", lifted_reason=None),
    )
    for statement in statements:
        db.session.execute(statement.execution_options(synchronize_session=False))


def mark_anonymised(case_id: str) -> None:
    db.session.execute(
        update(Case)
        .where(Case.id == case_id)
        .values(anonymised_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    record_event(AuditAction.ERASURE, object_type="case", object_id=case_id)
