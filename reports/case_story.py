"""The documents' part of a case's history: when each meeting that had the case on its agenda sent
out its MARAC list, and when its minutes and action plans were distributed, for those who receive
them. Also, on the case page's panel, when the case falls due for anonymisation and any legal hold
(SECURITY D5). Registered when the app starts (app.py)."""

from access import policy
from access.models import User
from access.policy import CaseScope
from cases import chronology, standing
from cases.chronology import Entry, link_to, uk_day
from cases.models import Case
from cases.store import CaseRecords
from cases.vocabulary import EntryKind
from meetings import store as meetings_store
from meetings.case_story import case_hearings
from meetings.models import Meeting
from reports import documents, retention
from reports.documents import DocumentKind, Offer
from reports.retention import CaseRetention

# The documents that go out with the MARAC list; the rest go out with the minutes.
LIST_DOCUMENTS = (DocumentKind.RESEARCH_PACK, DocumentKind.AGENDA, DocumentKind.MEETING_PACK)


@chronology.register
def document_entries(user: User, case: Case, scope: CaseScope, records: CaseRecords) -> list[Entry]:
    meetings = list({meeting.id: meeting for _, meeting, _ in case_hearings(case, records)}.values())
    if not meetings:
        return []
    meeting_ids = [meeting.id for meeting in meetings]
    invited = meetings_store.meeting_ids_inviting(user.agency_id, meeting_ids)
    owners = meetings_store.action_owners_by_meeting(meeting_ids)
    entries = []
    for meeting in meetings:
        offers = documents.offers_for(meeting, user, invited=meeting.id in invited, owners=owners.get(meeting.id, []))
        entries += meeting_documents(user, meeting, [offer for offer in offers if offer.available and not offer.draft])
    return entries


def meeting_documents(user: User, meeting: Meeting, offers: list[Offer]) -> list[Entry]:
    """Only documents this user may have now, each entry linking to the first of them."""
    day, entries = uk_day(meeting.starts_at), []
    issued = [offer for offer in offers if offer.kind in LIST_DOCUMENTS]
    if meeting.list_issued_at is not None and issued:
        entries.append(
            documents_entry(
                user, meeting, meeting.list_issued_at, f"MARAC list issued for the meeting on {day}", issued
            )
        )
    distributed = [offer for offer in offers if offer not in issued]
    if meeting.distributed_at is not None and distributed:
        title = f"Minutes and action plans distributed for the meeting on {day}"
        entries.append(documents_entry(user, meeting, meeting.distributed_at, title, distributed))
    return entries


def documents_entry(user: User, meeting: Meeting, when, title: str, offers: list[Offer]) -> Entry:
    return Entry(
        when=when,
        kind=EntryKind.DOCUMENT,
        title=title,
        detail=("Documents: " + "; ".join(offer.label for offer in offers) + ".",),
        link=document_link(user, meeting, offers[0]),
    )


def document_link(user: User, meeting: Meeting, offer: Offer) -> str | None:
    if offer.kind is DocumentKind.AGENCY_ACTION_PLAN:
        return link_to(user, "reports.download_agency_action_plan", meeting_id=meeting.id, agency_id=offer.agency_id)
    return link_to(user, "reports.download_meeting_document", meeting_id=meeting.id, kind=offer.kind.value)


@standing.register
def retention_facts(user: User, case: Case, scope: CaseScope, records: CaseRecords) -> list[standing.Fact]:
    entry = retention.case_retention(case, records)
    if entry is None:
        return []
    return [standing.Fact("Kept until", kept_until(entry)), hold_fact(user, case, scope, entry)]


def kept_until(entry: CaseRetention) -> str:
    rule = retention.rules_in_force()[retention.CASE]
    since = (
        f"it was last heard at a MARAC on {entry.last_heard:%-d %B %Y}"
        if entry.last_heard
        else f"its last referral or assessment on {entry.counted_from:%-d %B %Y}"
    )
    words = f"{entry.due_on:%-d %B %Y}, then anonymised ({since})"
    return words + ("" if rule.verified else ". The period is an unverified default, to be confirmed by your DPO")


def hold_fact(user: User, case: Case, scope: CaseScope, entry: CaseRetention) -> standing.Fact:
    may_hold = policy.may_hold_case(user, scope)
    if entry.hold is None:
        link = link_to(user, "cases.set_legal_hold", case_id=case.id) if may_hold else None
        return standing.Fact("Legal hold", "None" + (": put on legal hold" if link else ""), link)
    since = f"On hold since {entry.hold.set_at:%-d %B %Y}: it will not be anonymised"
    if not may_hold:
        return standing.Fact("Legal hold", since)
    link = link_to(user, "cases.lift_legal_hold", case_id=case.id)
    return standing.Fact("Legal hold", f"{since}, because: {entry.hold.reason}. Lift the hold", link)
