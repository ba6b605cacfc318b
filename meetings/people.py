"""A person across her cases: the cases naming her that the user may see, and each one's MARAC story,
so that a repeat or a transfer is plain. A case the user may not see is neither listed nor counted."""

from dataclasses import dataclass
from datetime import date, datetime

from access import policy
from access.models import User
from cases import store as cases_store
from cases.models import Case, Person, Referral, ReferralState
from cases.vocabulary import PARTY_ROLE_LABELS, CaseStatus
from meetings import store
from meetings.models import Transfer
from meetings.vocabulary import CaseOutcome, MeetingStatus
from risk.criteria import REPEAT

PART_WORDS = {None: "Victim"} | PARTY_ROLE_LABELS
STATE_WORDS = {
    None: "Not referred to the MARAC",
    ReferralState.RECEIVED: "Referred: waiting for the MARAC coordinator to look at it",
    ReferralState.ACCEPTED: "Accepted for the MARAC: waiting for a meeting",
    ReferralState.SCHEDULED: "On a MARAC meeting's agenda",
    ReferralState.HEARD: "Heard at the MARAC",
    ReferralState.CLOSED: "Heard at the MARAC; closed",
    ReferralState.DECLINED: "Referral declined by the MARAC coordinator",
    ReferralState.WITHDRAWN: "Referral withdrawn",
    ReferralState.TRANSFERRED: "Transferred to another MARAC",
}
# Once a meeting has started, the cases on its agenda have been heard, save those it ended without hearing.
NOT_YET_HEARD = (MeetingStatus.PLANNED, MeetingStatus.LIST_ISSUED)


@dataclass(frozen=True)
class Hearing:
    """One time the case was on a MARAC's agenda."""

    meeting_starts_at: datetime
    heard: bool
    not_heard: bool
    """The meeting ended without hearing the case, which went back to the referral queue."""
    repeat: bool
    transfer_in: bool
    transfer_out: bool


@dataclass(frozen=True)
class TransferRecord:
    incoming: bool
    other_area: str
    transferred_on: date


@dataclass(frozen=True)
class CaseStory:
    case_id: str
    part: str
    opened_at: datetime
    opened_by: str
    state: str
    hearings: tuple[Hearing, ...]
    transfers: tuple[TransferRecord, ...]
    referred_again_as_repeat: bool = False  # the latest referral, not yet heard, is a repeat

    @property
    def times_heard(self) -> int:
        return sum(hearing.heard for hearing in self.hearings)

    @property
    def repeat(self) -> bool:
        return self.referred_again_as_repeat or any(hearing.repeat for hearing in self.hearings)

    @property
    def transferred_in(self) -> bool:
        return any(transfer.incoming for transfer in self.transfers) or any(
            hearing.transfer_in for hearing in self.hearings
        )

    @property
    def transferred_out(self) -> bool:
        return any(not transfer.incoming for transfer in self.transfers) or any(
            hearing.transfer_out for hearing in self.hearings
        )


@dataclass(frozen=True)
class PersonStory:
    person: Person
    cases: tuple[CaseStory, ...]

    @property
    def times_heard(self) -> int:
        return sum(case.times_heard for case in self.cases)

    @property
    def case_ids(self) -> list[str]:
        return [case.case_id for case in self.cases]


def person_story(user: User, person_id: str) -> PersonStory | None:
    """The person and the cases naming her that the user may see, oldest first; None if there are none
    (or she does not exist), so the page cannot tell the two apart."""
    person = store.get_person(person_id)
    naming = store.list_cases_naming(person_id) if person else []
    scopes = cases_store.case_scopes(user, [case.id for case, _, _ in naming])
    if not policy.may_view_person(user, scopes.values()):
        return None
    shown = [(case, agency.name, part) for case, agency, part in naming if policy.may_view_case(user, scopes[case.id])]
    case_ids = [case.id for case, _, _ in shown]
    hearings, transfers = hearings_by_case(case_ids), transfers_by_case(case_ids)
    latest = store.latest_referrals_for_cases(case_ids)
    return PersonStory(
        person=person,
        cases=tuple(
            CaseStory(
                case_id=case.id,
                part=PART_WORDS[part],
                opened_at=case.created_at,
                opened_by=opened_by,
                state=state_words(case, latest.get(case.id)),
                referred_again_as_repeat=latest.get(case.id) is not None and REPEAT in latest[case.id].criteria,
                hearings=tuple(hearings.get(case.id, [])),
                transfers=tuple(transfers.get(case.id, [])),
            )
            for case, opened_by, part in shown
        ),
    )


def state_words(case: Case, latest_referral: Referral | None) -> str:
    words = STATE_WORDS[latest_referral.state if latest_referral else None]
    return words if case.status is CaseStatus.OPEN else f"Closed. {words}"


def is_repeat(criteria, flags, outcome) -> bool:
    """As the quarterly return counts it: referred as a repeat, flagged one on the agenda, or minuted as one."""
    return REPEAT in (criteria or []) or REPEAT in (flags or []) or outcome == CaseOutcome.REPEAT


def hearings_by_case(case_ids: list[str]) -> dict[str, list[Hearing]]:
    found: dict[str, list[Hearing]] = {}
    for row in store.list_hearings(case_ids):
        found.setdefault(row.case_id, []).append(
            Hearing(
                meeting_starts_at=row.starts_at,
                heard=row.meeting_status not in NOT_YET_HEARD and row.not_heard_at is None,
                not_heard=row.not_heard_at is not None,
                repeat=is_repeat(row.criteria, row.flags, row.outcome),
                transfer_in="transfer-in" in (row.flags or []) or row.outcome == CaseOutcome.TRANSFER_IN,
                transfer_out=row.outcome == CaseOutcome.TRANSFER_OUT,
            )
        )
    return found


def transfers_by_case(case_ids: list[str]) -> dict[str, list[TransferRecord]]:
    found: dict[str, list[TransferRecord]] = {}
    for transfer in store.list_transfers_for_cases(case_ids):
        found.setdefault(transfer.case_id, []).append(transfer_record(transfer))
    return found


def transfer_record(transfer: Transfer) -> TransferRecord:
    return TransferRecord(transfer.incoming, transfer.other_area, transfer.transferred_on)
