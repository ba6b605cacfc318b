"""Invented cases for the retention review (SECURITY D5): one heard a little under the retention period ago
(due next month), one past it (the next daily run anonymises it) and one past it on legal hold."""

from datetime import date, timedelta

from access.models import Role
from access.retention_rules import months_after, rules_in_force
from cases import retention
from demo.meetings import seed_earlier_meeting

HOLD_REASON = "The family court has asked for these records to be kept until the proceedings end (demo)."


def retention_cases() -> tuple:
    """Victim, perpetrator, child, referring role, (gender, ethnicity, disability, sexuality), as earlier_cases."""
    return (
        (
            ("Gemma", "Lowe", date(1978, 5, 14), "RV6 3FF"),
            ("Dean", "Lowe", date(1975, 9, 2)),
            None,
            Role.PRACTITIONER,
            ("Female", "White", "No", "Heterosexual"),
        ),
        (
            ("Helen", "Marsh", date(1969, 2, 20), "RV7 4GG"),
            ("Paul", "Marsh", date(1966, 7, 7)),
            None,
            Role.COORDINATOR,
            ("Female", "White", "Yes", "Heterosexual"),
        ),
        (
            ("Rita", "Okafor", date(1983, 10, 3), "RV8 5HH"),
            ("Tunde", "Okafor", date(1980, 12, 12)),
            None,
            Role.PRACTITIONER,
            ("Female", "Black, Black British, Caribbean or African", "No", "Heterosexual"),
        ),
    )


def seed_demo_retention(users: dict, agencies: dict, area: str, today: date) -> None:
    period_started = months_after(today, -rules_in_force()["case"].after_months)
    due_soon, due_now, held = retention_cases()
    for days_after_period_started, case in ((14, due_soon), (-10, due_now)):
        seed_earlier_meeting(
            users, agencies, area, today, period_started + timedelta(days=days_after_period_started), [case]
        )
    [held_referral] = seed_earlier_meeting(users, agencies, area, today, period_started - timedelta(days=40), [held])
    retention.set_hold(held_referral.case, HOLD_REASON, users[Role.COORDINATOR])
