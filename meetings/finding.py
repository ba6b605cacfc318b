"""Find a case: by name (near matches too), date of birth, postcode or case reference, narrowed by
where its referral stands and what is happening on it, over only the cases the person may see.

A case an exclusion list keeps from someone is left out before counting, so neither a row, a total
nor a page number hints at it."""

import math
from dataclasses import dataclass
from datetime import date, datetime, time

from access.models import User
from cases import journey
from cases import store as cases_store
from cases.vocabulary import NOT_REFERRED, REFERRAL_STATE_LABELS, normalise_reference
from meetings import store
from meetings.schedule import UK_TIME
from meetings.vocabulary import CaseFlag, CaseSort
from risk.matching import compact_postcode, normalise_postcode, postcode_district

PAGE_SIZE = 25


@dataclass(frozen=True)
class CaseSearch:
    """What the person asked for, as typed and chosen; None or empty asks for nothing."""

    name: str | None = None
    date_of_birth: date | None = None
    postcode: str | None = None
    reference: str | None = None
    referral_state: str | None = None
    meeting: str | None = None
    referring_agency_id: int | None = None
    flags: frozenset[CaseFlag] = frozenset()
    sort: CaseSort = CaseSort.NEWEST
    page: int = 1

    @property
    def searching(self) -> bool:
        return bool(self.name or self.date_of_birth or self.postcode or self.reference)

    @property
    def filtering(self) -> bool:
        return bool(self.referral_state or self.meeting or self.referring_agency_id is not None or self.flags)


@dataclass(frozen=True)
class FoundCase:
    """One row: enough to tell apart two women of the same name, and no more."""

    case_id: str
    reference: str
    name: str
    date_of_birth: date | None
    postcode_district: str | None
    referral_state: str
    referring_agency: str | None
    next_meeting: datetime | None
    repeat: bool
    has_children: bool
    overdue_actions: bool


@dataclass(frozen=True)
class FoundCases:
    rows: list[FoundCase]
    total: int
    page: int
    pages: int
    search: CaseSearch

    @property
    def page_items(self) -> list[int | None]:
        """The page numbers to offer: the first, the last and those next to this one; None for a gap."""
        wanted = sorted({1, self.pages, *range(max(1, self.page - 1), min(self.pages, self.page + 1) + 1)})
        items: list[int | None] = []
        for number in wanted:
            if items and number - items[-1] > 1:
                items.append(None)
            items.append(number)
        return items


def find_cases(user: User, search: CaseSearch, *, today: date) -> FoundCases:
    query = case_query(search)
    since = start_of(today)
    visible = cases_store.may_view_case_condition(user)
    hidden = cases_store.cases_kept_from(user, store.case_ids_found(query, visible=visible, today=today, since=since))
    total = store.count_found_cases(query, visible=visible, hidden=hidden, today=today, since=since)
    pages = max(1, math.ceil(total / PAGE_SIZE))
    page = min(max(search.page, 1), pages)
    rows = store.page_of_found_cases(
        query, visible=visible, hidden=hidden, today=today, since=since, offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE
    )
    shown = cases_store.cases_visible_to(user, [row.case_id for row in rows])
    return FoundCases([found_case(row) for row in rows if row.case_id in shown], total, page, pages, search)


def case_query(search: CaseSearch) -> store.CaseQuery:
    whole_postcode = normalise_postcode(search.postcode) if search.postcode else None
    return store.CaseQuery(
        victim_ids=tuple(journey.victims_named_like(search.name)) if search.name else None,
        date_of_birth=search.date_of_birth,
        postcode=compact_postcode(whole_postcode) if whole_postcode else None,
        postcode_district=postcode_district(search.postcode) if search.postcode and not whole_postcode else None,
        reference=normalise_reference(search.reference) if search.reference else None,
        referral_state=search.referral_state,
        meeting=search.meeting,
        referring_agency_id=search.referring_agency_id,
        flags=search.flags,
        sort=search.sort,
    )


def start_of(today: date) -> datetime:
    """A meeting that began earlier today is still the case's next meeting until the day is out."""
    return datetime.combine(today, time.min, tzinfo=UK_TIME)


def found_case(row: store.FoundCaseRow) -> FoundCase:
    return FoundCase(
        case_id=row.case_id,
        reference=row.reference,
        name=f"{row.given_name} {row.family_name}",
        date_of_birth=row.date_of_birth,
        postcode_district=postcode_district(row.postcode) if row.postcode else None,
        referral_state=REFERRAL_STATE_LABELS[row.referral_state or NOT_REFERRED],
        referring_agency=row.referring_agency,
        next_meeting=row.next_meeting,
        repeat=row.repeat,
        has_children=row.has_children,
        overdue_actions=row.overdue_actions,
    )


def upcoming_meetings(today: date):
    return store.list_upcoming_meetings(start_of(today))
