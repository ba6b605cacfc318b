"""Disabling accounts nobody has signed in to for INACTIVE_ACCOUNT_DAYS (A12), run daily from cron by
`flask --app app access disable-unused`. The accounts are kept, disabled, so the audit trail still names them;
an administrator can turn one back on. The e-mails say what happened and where to look, and name nobody:
the administrators get account numbers and links."""

from dataclasses import dataclass
from datetime import timedelta

from flask import current_app

from access import notifications, store
from access.audit import AuditAction, record_events
from access.models import Role, User
from extensions import utcnow


@dataclass(frozen=True)
class Email:
    subject: str
    text: str
    recipients: list[str]


@dataclass(frozen=True)
class DisabledAccounts:
    user_ids: list[int]
    emails: list[Email]
    admins_told: int


def inactive_days() -> int:
    return current_app.config["INACTIVE_ACCOUNT_DAYS"]


def disable_unused_accounts() -> DisabledAccounts:
    """Disables each unused account, ends its sessions and audits it; tells the administrators in the service.
    Returns the e-mails to send once this is committed."""
    users = store.list_active_users_unused_since(utcnow() - timedelta(days=inactive_days()))
    if not users:
        return DisabledAccounts([], [], 0)
    for user in users:
        user.active = False
    store.revoke_sessions_for_users(users, "account-unused")
    record_events(
        AuditAction.USER_DISABLED_UNUSED, user=None, object_type="user", object_ids=[user.id for user in users]
    )
    admins = store.list_active_users(Role.ADMIN)
    told = notifications.notify(admins, admin_notice(len(users)), notifications.path_of("access.list_users"))
    emails = [email_to_person(user) for user in users]
    if admins:
        emails.append(email_to_admins(users, [admin.email for admin in admins]))
    return DisabledAccounts([user.id for user in users], emails, told)


def accounts_were(count: int) -> str:
    return "1 account was" if count == 1 else f"{count} accounts were"


def admin_notice(count: int) -> str:
    return f"{accounts_were(count)} disabled after {inactive_days()} days without signing in."


def email_to_person(user: User) -> Email:
    service = current_app.config["SERVICE_NAME"]
    text = (
        f"Your {service} account has been disabled because nobody has signed in to it for {inactive_days()} days.\n"
        "If you still need it, ask your administrator to turn it back on.\n"
    )
    return Email(f"Your {service} account has been disabled", text, [user.email])


def email_to_admins(users: list[User], recipients: list[str]) -> Email:
    lines = [
        f"{accounts_were(len(users))} disabled after {inactive_days()} days without signing in:",
        *(f"Account {user.id}: {notifications.public_link('access.edit_user', user_id=user.id)}" for user in users),
        "",
        "Each person has been told by e-mail. Turn an account back on from its page if it is still needed.",
    ]
    return Email(f"{accounts_were(len(users)).capitalize()} disabled", "\n".join(lines) + "\n", recipients)
