"""The 12-month repeat watch and MARAC-to-MARAC transfers, in the steps the pages call."""

from dataclasses import dataclass
from datetime import date, timedelta

from access.audit import AuditAction, record_event
from cases.models import Case, ReferralState
from meetings import store
from meetings.vocabulary import SENT_ITEMS


@dataclass(frozen=True)
class WatchRow:
    case_id: str
    reference: str
    initials: str
    referring_agency: str
    last_referral_on: date | None
    watch_ends: date


def watch_rows(cases: list[Case]) -> list[WatchRow]:
    referrals = store.latest_referrals_for_cases([case.id for case in cases])
    rows = []
    for case in cases:
        referral = referrals.get(case.id)
        rows.append(
            WatchRow(
                case_id=case.id,
                reference=case.reference,
                initials=case.victim.initials,
                referring_agency=referral.agency.name if referral else "Not known",
                last_referral_on=referral.received_at.date() if referral else None,
                watch_ends=case.repeat_watch_ends,
            )
        )
    return rows


def under_watch(today: date) -> list[WatchRow]:
    return watch_rows(store.list_cases_under_repeat_watch(today))


def lapsed_this_month(today: date) -> list[WatchRow]:
    """Watches that ended earlier this calendar month, so partners can be told."""
    return watch_rows(store.list_cases_with_watch_ending(today.replace(day=1), today - timedelta(days=1)))


def describe_what_was_sent(items: list[str], note: str | None) -> str:
    lines = [SENT_ITEMS[item] for item in SENT_ITEMS if item in items]
    if note:
        lines.append(f"Note: {note}")
    return "\n".join(lines)


def transfer_out_reason(other_area: str, transferred_on: date) -> str:
    on = transferred_on.strftime("%-d %B %Y")
    return f"Transferred out to the {other_area} MARAC on {on}; that MARAC hears the case now."


def record_transfer(
    case: Case, *, incoming: bool, other_area: str, transferred_on: date, items: list[str], note: str | None, user
) -> int:
    """Keeps the transfer; an outgoing one also closes the case's referrals not yet on an agenda.
    Returns how many referrals were moved to transferred."""
    store.add_transfer(
        case_id=case.id,
        incoming=incoming,
        other_area=other_area,
        transferred_on=transferred_on,
        what_was_sent=describe_what_was_sent(items, note),
        recorded_by_id=user.id,
    )
    moved = [] if incoming else store.list_referrals_not_yet_on_an_agenda(case.id)
    for referral in moved:
        referral.state = ReferralState.TRANSFERRED
        referral.state_reason = transfer_out_reason(other_area, transferred_on)
    record_event(AuditAction.TRANSFER_RECORDED, user=user, object_type="case", object_id=case.id)
    return len(moved)
