"""Who is told about a case, in-app: never anyone the case is kept from (an exclusion list naming
them, or no reason to see it), as the policy decides. The messages name the case by its reference only."""

from collections.abc import Iterable

from access import notifications, policy
from access import store as access_store
from access.models import Role, User
from cases import store
from cases.models import Referral


def who_may_know(case_id: str, users: Iterable[User]) -> list[User]:
    """Of these users, those the policy lets be told about the case."""
    return [user for user in users if case_id not in cases_kept_from_hearing(user, [case_id])]


def cases_kept_from_hearing(user: User, case_ids: list[str]) -> set[str]:
    """Of these cases, those the user may no longer be told about (an exclusion list now names them)."""
    scopes = store.case_scopes(user, list(dict.fromkeys(case_ids)))
    return {case_id for case_id, scope in scopes.items() if not policy.may_be_told_about_case(user, scope)}


def unread_cases_kept_from_hearing(user: User) -> set[str]:
    """Of the cases the user's unread notifications are about, those they may no longer be told about. Someone
    told about no case is kept from them all; otherwise only a case whose exclusion list names them can be, so
    the scopes are worked out for those alone: for the header on every page, one query when no such list names
    them."""
    if not policy.may_be_told_about_any_case(user):
        return set(notifications.case_ids_notified(user, unread_only=True))
    named = store.cases_excluding(user, notifications.unread_case_ids(user))
    return cases_kept_from_hearing(user, sorted(named)) if named else set()


def unread_count_for_header(user: User) -> int:
    """The header's count of unread notifications, less those about a case the user may no longer be told
    about. Only a case with an exclusion list can be kept from someone told about any case, so the count asks
    whether any of them has one as it counts: one statement on most pages, the lists read only when it does."""
    if policy.may_be_told_about_any_case(user):
        unread, any_listed = notifications.count_unread_asking_too(
            user, store.any_exclusion_list_among(notifications.unread_case_ids(user))
        )
        if not any_listed:
            return unread
    hidden = unread_cases_kept_from_hearing(user)
    return notifications.count_unread(user, hidden_case_ids=hidden)


def notify_about_case(case_id: str, users: Iterable[User], message: str, link: str | None) -> int:
    return notifications.notify(who_may_know(case_id, users), message, link, case_id=case_id)


def referral_received(referral: Referral) -> None:
    """The MARAC coordinators are told a referral is waiting in their queue."""
    notify_about_case(
        referral.case_id,
        access_store.list_active_users(Role.COORDINATOR),
        f"New referral for {referral.case.reference} is waiting in the referral queue",
        notifications.path_of("meetings.view_referral", referral_id=referral.id),
    )


def referral_triaged(referral: Referral, outcome: str) -> None:
    """The referrer is told the coordinator's decision ("accepted" or "declined"); a reason is on the case."""
    notify_about_case(
        referral.case_id,
        [referral.referrer],
        f"Your referral for {referral.case.reference} was {outcome} by the MARAC coordinator",
        notifications.path_of("cases.view_case", case_id=referral.case_id),
    )
