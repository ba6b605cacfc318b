from datetime import UTC, datetime, timedelta

import pytest

from meetings.planner import MeetingSpec, PlannerSettings, QueuedCase, plan

MONDAY = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)


def case(name, tier=3, days_waiting=1, **flags) -> QueuedCase:
    return QueuedCase(referral_id=name, tier=tier, received_on=MONDAY.date() - timedelta(days=days_waiting), **flags)


def meeting(name, capacity, weeks_ahead=0, minutes=15) -> MeetingSpec:
    return MeetingSpec(
        meeting_id=name, starts_at=MONDAY + timedelta(weeks=weeks_ahead), capacity=capacity, minutes_per_case=minutes
    )


def placed(result) -> dict[str, list[str]]:
    return {planned.meeting_id: [item.referral_id for item in planned.items] for planned in result.meetings}


@pytest.mark.parametrize(
    ("capacity", "first", "second", "unplaced"),
    [
        (0, [], ["a", "b"], ["c"]),
        (1, ["a"], ["b", "c"], []),
        (2, ["a", "b"], ["c"], []),
        (3, ["a", "b", "c"], [], []),
        (5, ["a", "b", "c"], [], []),
    ],
)
def test_capacity_fills_the_first_meeting_and_overflows_to_the_next(capacity, first, second, unplaced):
    queue = [case("a", days_waiting=9), case("b", days_waiting=5), case("c", days_waiting=2)]

    result = plan(queue, [meeting("m1", capacity), meeting("m2", 2, weeks_ahead=2)])

    assert placed(result) == {"m1": first, "m2": second}
    assert [queued.referral_id for queued in result.unplaced] == unplaced


def test_very_high_risk_goes_first_then_the_longest_waiting():
    queue = [
        case("waited-longest", days_waiting=20),
        case("very-high", tier=4, days_waiting=1),
        case("waited-less", days_waiting=3),
    ]

    result = plan(queue, [meeting("m1", 2), meeting("m2", 5, weeks_ahead=2)])

    assert placed(result) == {"m1": ["very-high", "waited-longest"], "m2": ["waited-less"]}


def test_overflowed_cases_are_flagged_and_first_meeting_cases_are_not():
    result = plan(
        [case("a", days_waiting=3), case("b", days_waiting=2)], [meeting("m1", 1), meeting("m2", 1, weeks_ahead=2)]
    )

    assert "overflowed" not in result.meetings[0].items[0].flags
    assert "overflowed" in result.meetings[1].items[0].flags


@pytest.mark.parametrize(("days_waiting", "flagged"), [(13, False), (14, False), (15, True)])
def test_cases_waiting_longer_than_the_target_are_flagged(days_waiting, flagged):
    result = plan([case("a", days_waiting=days_waiting)], [meeting("m1", 5)], PlannerSettings(waiting_target_days=14))

    assert ("waited-too-long" in result.meetings[0].items[0].flags) is flagged


def test_cases_with_children_come_before_adult_only_cases_keeping_priority_within_each():
    queue = [
        case("adult-old", days_waiting=10),
        case("child-new", days_waiting=1, has_children=True),
        case("adult-new", days_waiting=2),
        case("child-old", days_waiting=8, has_children=True),
    ]

    items = plan(queue, [meeting("m1", 10)]).meetings[0].items

    assert [item.referral_id for item in items] == ["child-old", "child-new", "adult-old", "adult-new"]
    assert [item.section for item in items] == ["children", "children", "adult-only", "adult-only"]
    assert [item.order for item in items] == [1, 2, 3, 4]


def test_time_slots_follow_the_action_review_and_the_minutes_per_case():
    result = plan(
        [case("a", days_waiting=2), case("b", days_waiting=1)],
        [meeting("m1", 5, minutes=12)],
        PlannerSettings(action_review_minutes=20),
    )

    planned = result.meetings[0]
    assert planned.action_review == (MONDAY, MONDAY + timedelta(minutes=20))
    assert [(item.starts_at, item.ends_at) for item in planned.items] == [
        (MONDAY + timedelta(minutes=20), MONDAY + timedelta(minutes=32)),
        (MONDAY + timedelta(minutes=32), MONDAY + timedelta(minutes=44)),
    ]
    assert planned.ends_at == MONDAY + timedelta(minutes=44)


def test_repeats_children_and_transfers_are_noted():
    flags = (
        plan([case("a", tier=4, repeat=True, has_children=True, transfer_in=True)], [meeting("m1", 1)])
        .meetings[0]
        .items[0]
        .flags
    )

    assert set(flags) == {"very-high-risk", "repeat", "children", "transfer-in"}


def test_meetings_are_filled_in_date_order_whatever_order_they_are_given_in():
    result = plan(
        [case("a", days_waiting=2), case("b", days_waiting=1)],
        [meeting("later", 1, weeks_ahead=2), meeting("sooner", 1)],
    )

    assert placed(result) == {"sooner": ["a"], "later": ["b"]}


def test_twelve_month_notices_close_the_agenda_without_taking_capacity():
    result = plan([case("a")], [meeting("m1", 1)], twelve_month_notices={"m1": ("case-x", "case-y")})

    assert [item.referral_id for item in result.meetings[0].items] == ["a"]
    assert result.meetings[0].twelve_month_notices == ("case-x", "case-y")


def test_no_meetings_leaves_everything_unplaced_in_priority_order():
    result = plan([case("b", days_waiting=1), case("a", tier=4)], [])

    assert [queued.referral_id for queued in result.unplaced] == ["a", "b"]
