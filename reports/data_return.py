"""The quarterly MARAC data return (SafeLives, brief §8.12): one row of counts per meeting held.

Three queries, however many meetings and cases: the meetings held, with the rows kept for those whose minutes
are approved; for the others, the cases discussed and their counts, added up in the database per meeting; and
their children and people causing harm, added up likewise. Each reads the cases discussed once and hands back,
beside each meeting's sums, the dates of birth of the few people young enough for their age on the meeting day
to count, whose ages pandas works out. The definitions, decided here and shown to users in COLUMN_LABELS and on
the return's page:

- a case discussed is an agenda item of a meeting that has started (in progress or later);
- a repeat case is one whose referral met the repeat criterion (risk.criteria.REPEAT: a further
  incident within 12 months of the last referral), whose agenda item carries the planner's
  "repeat" flag, or whose minutes record the outcome "repeat";
- children in households are the case's parties with the child role, counted per case discussed;
- the referring agency is the agency of the referral; police referrals are those of police
  agencies and partner referrals those of every other kind;
- ages are on the meeting date, from the date of birth; people with no date of birth are not counted;
- victim diversity is read from the answers of the person details form; "Not known" is never counted;
- for a case anonymised when its retention period ended (SECURITY D5), the ages are those kept on its
  agenda items before the dates of birth were removed, so past quarters' figures do not change;
- when a meeting's minutes are approved, its row is kept (reports.models.MeetingFigures) and read from then on,
  so a later correction to a victim's or household's details does not change it; until then it is counted from
  its cases as they are now.
"""

import logging
from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd
from sqlalchemy import ColumnElement, Select, String, and_, case, cast, func, null, or_, select
from sqlalchemy.orm import aliased

from access.models import Agency
from access.vocabulary import AGENCY_KIND_LABELS, AgencyKind
from cases.models import Case, CaseParty, PartyRole, Person, Referral
from extensions import db
from meetings.models import AgendaItem, CaseMinutes, CaseOutcome, Meeting
from meetings.retention import AGED_16_OR_17
from meetings.schedule import UK_TIME, minutes_approved
from reports import store
from reports.quarters import Quarter
from risk.criteria import REPEAT
from transactions import all_or_nothing

log = logging.getLogger("marac")

WHITE = "White"
LGBT_SEXUALITIES = frozenset({"Gay or lesbian", "Bisexual", "Other"})
LGBT_GENDERS = frozenset({"Non-binary", "Other"})
TOTAL = "Total"

AGENCY_COLUMNS = {kind: f"referrals_{kind.value}" for kind in AgencyKind}
COUNT_COLUMNS = [
    "cases_discussed",
    "repeat_cases",
    "children_in_households",
    "referrals_police",
    "referrals_partner",
]
VICTIM_COLUMNS = [
    "victims_racially_minoritised",
    "victims_lgbt",
    "victims_disabled",
    "victims_male",
    "victims_aged_16_17",
    "perpetrators_aged_17_or_under",
]
# The police count is already a column of its own, so the breakdown by kind starts after it.
KIND_COLUMNS = [column for kind, column in AGENCY_COLUMNS.items() if kind is not AgencyKind.POLICE]
INTEGER_COLUMNS = COUNT_COLUMNS + VICTIM_COLUMNS + KIND_COLUMNS
INTEGER_SET = frozenset(INTEGER_COLUMNS)
AGENDA_COLUMNS = [
    "agenda_items",
    "heard_with_minutes",
    "cases_discussed",
    "repeat_cases",
    "referrals_police",
    "referrals_partner",
    *KIND_COLUMNS,
]
COLUMNS = ["meeting_id", "meeting_date", *COUNT_COLUMNS, "partner_referral_percent", *VICTIM_COLUMNS, *KIND_COLUMNS]

COLUMN_LABELS: dict[str, str] = {
    "meeting_id": "Meeting number",
    "meeting_date": "Meeting date",
    "cases_discussed": "Cases discussed (including repeats)",
    "repeat_cases": "Repeat cases (repeat criterion, repeat flag or repeat outcome in the minutes)",
    "children_in_households": "Children in households",
    "referrals_police": "Referrals from the police",
    "referrals_partner": "Referrals from partner (non-police) agencies",
    "partner_referral_percent": "Partner-agency referrals (% of all referrals)",
    "victims_racially_minoritised": (
        "Victims who are Black, Asian or racially minoritised (any known ethnic group other than White; "
        "White minorities such as Gypsy or Irish Traveller cannot be counted with the current question)"
    ),
    "victims_lgbt": (
        "Victims who are LGBT+ (gay, lesbian, bisexual or other orientation, or non-binary or other gender)"
    ),
    "victims_disabled": "Victims with a disability",
    "victims_male": "Male victims",
    "victims_aged_16_17": "Victims aged 16 or 17 on the meeting date",
    "perpetrators_aged_17_or_under": "People causing harm aged 17 or under on the meeting date",
} | {
    column: f"Referrals: {AGENCY_KIND_LABELS[kind]}"
    for kind, column in AGENCY_COLUMNS.items()
    if kind is not AgencyKind.POLICE
}

NATIONAL_PERIOD = "the 12 months to 30 September 2024"


@dataclass(frozen=True)
class Comparison:
    """One line of the return set against the latest national figures (SafeLives, brief §8.12)."""

    measure: str
    this_quarter: str
    national: str


def heard_at(meeting_ids: list[int]) -> tuple[ColumnElement[bool], ...]:
    """The agenda items of these meetings that were heard (a case the meeting ended without hearing was not
    discussed there)."""
    return AgendaItem.meeting_id.in_(meeting_ids), AgendaItem.not_heard_at.is_(None)


def discussed(meeting_ids: list[int]) -> Select:
    """The agenda items heard at these meetings, with the referral, its agency, the case's victim and the
    minutes; selects nothing yet."""
    return (
        select()
        .select_from(AgendaItem)
        .join(Referral, AgendaItem.referral_id == Referral.id)
        .join(Agency, Referral.agency_id == Agency.id)
        .join(Case, Referral.case_id == Case.id)
        .join(Person, Case.victim_id == Person.id)
        .outerjoin(CaseMinutes, CaseMinutes.agenda_item_id == AgendaItem.id)
        .where(*heard_at(meeting_ids))
    )


def holds(json_list, code: str) -> ColumnElement[bool]:
    """A JSON list of codes holds this one: the same test on SQLite and PostgreSQL."""
    return cast(json_list, String).contains(f'"{code}"', autoescape=True)


def counted_from_referrals() -> dict[str, ColumnElement[bool]]:
    """Each column counted per case discussed from its referral, agenda item and minutes alone, as the condition
    under which a case counts towards it."""
    police = Agency.kind == AgencyKind.POLICE
    return {
        "repeat_cases": or_(
            holds(Referral.criteria, REPEAT), holds(AgendaItem.flags, REPEAT), CaseMinutes.outcome == CaseOutcome.REPEAT
        ),
        "referrals_police": police,
        "referrals_partner": ~police,
    } | {column: Agency.kind == kind for kind, column in AGENCY_COLUMNS.items() if kind is not AgencyKind.POLICE}


def counted_from_victims() -> dict[str, ColumnElement[bool]]:
    """Each column counted per case discussed from its victim, as the condition under which a case counts."""
    return {
        "victims_racially_minoritised": and_(
            Person.ethnicity.is_not(None), Person.ethnicity != "", Person.ethnicity != WHITE
        ),
        "victims_lgbt": or_(Person.sexuality.in_(LGBT_SEXUALITIES), Person.gender.in_(LGBT_GENDERS)),
        "victims_disabled": Person.disability == "Yes",
        "victims_male": Person.gender == "Male",
    }


def summed_when(conditions: dict[str, ColumnElement[bool]]) -> dict[str, ColumnElement]:
    """Each condition as the count of the cases discussed that meet it."""
    return {name: func.sum(case((condition, 1), else_=0)) for name, condition in conditions.items()}


def count_cases_discussed(meeting_ids: list[int], born_after: date) -> pd.DataFrame:
    """The cases discussed and every count of them that needs neither a party nor an age, added up in the
    database per meeting and, within it, per young victim: one row for a meeting's victims born on or before
    `born_after` with no 16-17 age band kept, and one for each date of birth after it (with or without the
    band). So the victims' ages are worked out from these few rows, without reading the cases a second time.
    perpetrators_aged_17_or_under holds only those whose dates of birth were removed."""
    victim_born = case((Person.date_of_birth > born_after, Person.date_of_birth), else_=null())
    band_kept = case((AgendaItem.victim_age_band == AGED_16_OR_17, 1), else_=0)
    counts = summed_when(counted_from_referrals() | counted_from_victims()) | {
        "cases_discussed": func.count(),
        "perpetrators_aged_17_or_under": func.sum(func.coalesce(AgendaItem.young_perpetrators_anonymised, 0)),
    }
    keys = {"victim_born": victim_born, "victim_band_kept": band_kept}
    query = (
        discussed(meeting_ids)
        .add_columns(
            AgendaItem.meeting_id,
            *(key.label(name) for name, key in keys.items()),
            *(count.label(name) for name, count in counts.items()),
        )
        .group_by(AgendaItem.meeting_id, *keys.values())
    )
    return pd.DataFrame(db.session.execute(query).all(), columns=["meeting_id", *keys, *counts])


def count_children_and_young_perpetrators(meeting_ids: list[int], born_after: date) -> pd.DataFrame:
    """The children in the households of the cases discussed, and the people causing harm on them born after
    `born_after` (the only ones who can be 17 or under on a meeting day), added up in the database per meeting
    and, within it, per such date of birth: a meeting's row with no date holds its children."""
    harm = aliased(Person)
    young_perpetrator = and_(
        harm.id == CaseParty.person_id, CaseParty.role == PartyRole.PERPETRATOR, harm.date_of_birth > born_after
    )
    query = (
        select(
            AgendaItem.meeting_id,
            harm.date_of_birth.label("perpetrator_born"),
            func.sum(case((CaseParty.role == PartyRole.CHILD, 1), else_=0)).label("children_in_households"),
            func.count(harm.id).label("perpetrators"),
        )
        .join(Referral, AgendaItem.referral_id == Referral.id)
        .join(CaseParty, CaseParty.case_id == Referral.case_id)
        .outerjoin(harm, young_perpetrator)
        .where(*heard_at(meeting_ids), CaseParty.role.in_((PartyRole.CHILD, PartyRole.PERPETRATOR)))
        .group_by(AgendaItem.meeting_id, harm.date_of_birth)
    )
    return pd.DataFrame(
        db.session.execute(query).all(),
        columns=["meeting_id", "perpetrator_born", "children_in_households", "perpetrators"],
    )


def earliest_birth_to_count(first_day: date) -> date:
    """Anyone 17 or under on a day from `first_day` on was born after this day (a little before the exact bound,
    which the ages worked out afterwards settle)."""
    return date(first_day.year - 18, first_day.month, 1) - timedelta(days=1)


def ages_on(days: pd.Series, dates_of_birth: pd.Series) -> pd.Series:
    """Whole years on each day; missing where the date of birth is not known."""
    days, born = pd.to_datetime(days), pd.to_datetime(dates_of_birth)
    before_birthday = (days.dt.month * 100 + days.dt.day) < (born.dt.month * 100 + born.dt.day)
    return (days.dt.year - born.dt.year - before_birthday.astype(int)).astype("Int64")


def per_meeting(groups: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """The groups' counts added up for each meeting, indexed by meeting id."""
    return groups.groupby("meeting_id")[columns].sum()


def cases_per_meeting(meetings: pd.DataFrame, groups: pd.DataFrame) -> pd.DataFrame:
    """Per meeting, from count_cases_discussed's groups: the counts, and the victims aged 16 or 17 on the
    meeting date (or whose 16-17 band was kept when the case was anonymised)."""
    groups = groups.merge(meetings[["meeting_id", "meeting_date"]], on="meeting_id")
    aged_16_17 = ages_on(groups["meeting_date"], groups["victim_born"]).isin([16, 17]).fillna(False)
    groups["victims_aged_16_17"] = groups["cases_discussed"].where(aged_16_17 | (groups["victim_band_kept"] == 1), 0)
    keys = ("meeting_id", "meeting_date", "victim_born", "victim_band_kept")
    return per_meeting(groups, [column for column in groups.columns if column not in keys])


def parties_per_meeting(meetings: pd.DataFrame, groups: pd.DataFrame) -> pd.DataFrame:
    """Per meeting, from count_children_and_young_perpetrators's groups: the children in households, and the
    people causing harm aged 17 or under on the meeting date."""
    groups = groups.merge(meetings[["meeting_id", "meeting_date"]], on="meeting_id")
    under_18 = (ages_on(groups["meeting_date"], groups["perpetrator_born"]) <= 17).fillna(False)
    groups["perpetrators_aged_17_or_under"] = groups["perpetrators"].where(under_18, 0)
    return per_meeting(groups, ["children_in_households", "perpetrators_aged_17_or_under"])


def meetings_held(first_day: date, last_day: date) -> pd.DataFrame:
    """meeting_id, meeting_date (the UK date) and starts_at of each meeting held from first_day to last_day,
    earliest first."""
    return meeting_frame(store.list_meetings_held(first_day, last_day))


def meeting_frame(held: list) -> pd.DataFrame:
    """meeting_id, meeting_date (the UK date) and starts_at of each of these meetings, in their order."""
    return pd.DataFrame(
        {
            "meeting_id": pd.Series([meeting.id for meeting in held], dtype="int64"),
            "meeting_date": pd.Series([meeting.starts_at.astimezone(UK_TIME).date() for meeting in held], dtype=object),
            "starts_at": pd.Series([meeting.starts_at for meeting in held], dtype=object),
        }
    )


def meeting_rows(first_day: date, last_day: date) -> pd.DataFrame:
    """One row per MARAC meeting held from first_day to last_day (UK dates, inclusive), earliest first.
    A meeting whose minutes were approved has its figures kept from that day; the others are counted from their
    cases now. Three queries however many meetings and cases: the meetings with their kept figures; the cases
    discussed at the others, counted in the database; and their children and the few people causing harm young
    enough for their age to count."""
    held = store.list_meetings_held_with_figures(first_day, last_day)
    meetings = meeting_frame(held)
    kept = kept_counts(held)
    counted = counts_per_meeting(meetings[~meetings["meeting_id"].isin(kept.index)], first_day)
    frame = with_counts(meetings, pd.concat([kept, counted]), INTEGER_COLUMNS)
    frame["partner_referral_percent"] = partner_percent(
        frame["referrals_partner"], frame["referrals_police"] + frame["referrals_partner"]
    )
    return frame[COLUMNS].reset_index(drop=True)


def kept_counts(held: list) -> pd.DataFrame:
    """The kept figures of these meetings, indexed by meeting id. Figures kept without every column of the return
    (kept before a column was added) are left out, so that meeting is counted again rather than a column read 0."""
    complete = [meeting for meeting in held if meeting.counts is not None and set(meeting.counts) == INTEGER_SET]
    return pd.DataFrame(
        [meeting.counts for meeting in complete],
        index=pd.Index([meeting.id for meeting in complete], dtype="int64"),
        columns=INTEGER_COLUMNS,
    )


def counts_per_meeting(meetings: pd.DataFrame, first_day: date) -> pd.DataFrame:
    """Every whole-number column of the return for each of these meetings (none before `first_day`), counted from
    their cases as they are now, indexed by meeting id; no query when there is no meeting to count. A meeting
    whose cases record no child or person causing harm has no household row: those counts are 0."""
    if meetings.empty:
        return pd.DataFrame(columns=INTEGER_COLUMNS, index=pd.Index([], dtype="int64"))
    meeting_ids = meetings["meeting_id"].tolist()
    born_after = earliest_birth_to_count(first_day)
    cases = cases_per_meeting(meetings, count_cases_discussed(meeting_ids, born_after))
    parties = parties_per_meeting(meetings, count_children_and_young_perpetrators(meeting_ids, born_after))
    counts = cases.add(parties, fill_value=0).reindex(columns=INTEGER_COLUMNS, fill_value=0)
    return counts.fillna(0).astype("int64")


def keep_figures(meetings: list) -> None:
    """Keeps each meeting's row of the return as its cases stand now (each has an id and starts_at): when a
    meeting's minutes are approved, and when a quarter is counted again."""
    frame = meeting_frame(meetings)
    counts = counts_per_meeting(frame, frame["meeting_date"].min()).reindex(frame["meeting_id"], fill_value=0)
    store.keep_meeting_figures(
        {
            int(meeting_id): {column: int(row[column]) for column in INTEGER_COLUMNS}
            for meeting_id, row in counts.iterrows()
        }
    )


def count_again(quarter: Quarter) -> int:
    """Keeps the figures of the quarter's meetings with approved minutes again, from their cases as they are now
    (after a correction to a victim's or household's details); returns how many meetings were counted."""
    approved = store.list_meetings_approved(quarter.first_day, quarter.last_day)
    keep_figures(approved)
    return len(approved)


@minutes_approved.connect
def keep_figures_when_minutes_are_approved(meeting: Meeting) -> None:
    """Approving the minutes does not wait on the return's bookkeeping: if keeping the figures fails, that alone is
    undone and logged (no one named), and the meeting is counted from its cases until its quarter is counted
    again."""
    try:
        with all_or_nothing():
            keep_figures([meeting])
    except Exception as error:  # noqa: BLE001 - whatever went wrong, the chair's approval goes on
        log.error({"event": "meeting-figures-not-kept", "meeting": meeting.id, "error": type(error).__name__})


def with_counts(meetings: pd.DataFrame, counts: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """The meetings beside their counts (indexed by meeting id) as whole numbers; 0 for a meeting with none."""
    frame = meetings.merge(counts, left_on="meeting_id", right_index=True, how="left")
    frame[columns] = frame[columns].fillna(0).astype("int64")
    return frame


def agenda_per_meeting(first_day: date, last_day: date) -> pd.DataFrame:
    """For the dashboard: meeting_rows's meetings, with when each started, its agenda items, those heard with
    minutes saved (the partnership-effectiveness figures), and only the return's cases discussed, repeat cases
    and referrals by agency kind. Two queries, reading each agenda item once and neither the victims nor the
    households, which the return's other columns need (at a force's scale, most of its time)."""
    meetings = meetings_held(first_day, last_day)
    heard = AgendaItem.not_heard_at.is_(None)
    counts = summed_when(
        {name: and_(heard, condition) for name, condition in counted_from_referrals().items()}
        | {"cases_discussed": heard, "heard_with_minutes": and_(heard, CaseMinutes.id.is_not(None))}
    ) | {"agenda_items": func.count()}
    query = (
        select(AgendaItem.meeting_id, *(count.label(name) for name, count in counts.items()))
        .join(Referral, AgendaItem.referral_id == Referral.id)
        .join(Agency, Referral.agency_id == Agency.id)
        .outerjoin(CaseMinutes, CaseMinutes.agenda_item_id == AgendaItem.id)
        .where(AgendaItem.meeting_id.in_(meetings["meeting_id"].tolist()))
        .group_by(AgendaItem.meeting_id)
    )
    per_meeting = pd.DataFrame(db.session.execute(query).all(), columns=["meeting_id", *counts])
    frame = with_counts(meetings, per_meeting.set_index("meeting_id"), AGENDA_COLUMNS)
    return frame[["meeting_id", "meeting_date", "starts_at", *AGENDA_COLUMNS]].reset_index(drop=True)


def partner_percent(partner: pd.Series, referrals: pd.Series) -> pd.Series:
    return pd.Series(
        [round(100 * share / whole, 1) if whole else 0.0 for share, whole in zip(partner, referrals)],
        index=partner.index,
        dtype="float64",
    )


def quarter_return(quarter: Quarter) -> pd.DataFrame:
    """The quarter's meeting rows and a final Total row; its percentage comes from the totals, not an average."""
    rows = meeting_rows(quarter.first_day, quarter.last_day)
    total = {column: int(rows[column].sum()) for column in INTEGER_COLUMNS}
    total["partner_referral_percent"] = partner_percent(
        pd.Series([total["referrals_partner"]]), pd.Series([total["referrals_police"] + total["referrals_partner"]])
    ).iloc[0]
    total_row = pd.DataFrame([{"meeting_id": pd.NA, "meeting_date": TOTAL, **total}])
    frame = pd.concat(
        [rows.astype({"meeting_id": "Int64"}), total_row.astype({"meeting_id": "Int64"})], ignore_index=True
    )
    return frame[COLUMNS]


def meetings_in(frame: pd.DataFrame) -> int:
    """How many meetings a quarter_return frame holds (its Total row aside)."""
    return int((frame["meeting_date"] != TOTAL).sum())


def share(count: int, whole: int) -> str:
    return f"{count} ({round(100 * count / whole, 1) if whole else 0.0}%)"


def comparison_rows(total: pd.Series, repeat_expected: tuple[int, int]) -> list[Comparison]:
    """The quarter's totals beside the national figures; the expected repeat range is unverified."""
    cases = int(total["cases_discussed"])
    low, high = repeat_expected
    return [
        Comparison("Cases discussed", str(cases), "119,985 cases; 47 per 10,000 adult women"),
        Comparison(
            "Repeat cases",
            share(int(total["repeat_cases"]), cases),
            f"31%; {low}% to {high}% is often quoted as expected, but that range is not yet checked against a "
            "SafeLives source",
        ),
        Comparison("Children in households", str(int(total["children_in_households"])), "148,270"),
        Comparison("Partner-agency referrals", f"{total['partner_referral_percent']}%", "36.1%"),
        Comparison(
            "Victims Black, Asian or racially minoritised",
            share(int(total["victims_racially_minoritised"]), cases),
            "14.1%",
        ),
        Comparison("Victims LGBT+", share(int(total["victims_lgbt"]), cases), "1.6%"),
        Comparison("Victims with a disability", share(int(total["victims_disabled"]), cases), "10.1%"),
        Comparison("Male victims", share(int(total["victims_male"]), cases), "6.4%"),
        Comparison("Victims aged 16 or 17", share(int(total["victims_aged_16_17"]), cases), "1,568 (1.3%)"),
        Comparison("People causing harm aged 17 or under", str(int(total["perpetrators_aged_17_or_under"])), "1,425"),
    ]


@dataclass(frozen=True)
class ByMeasure:
    """The return turned on its side for reading: a row per measure, a column per meeting, then the total."""

    meetings: list[tuple[int | None, str]]
    rows: list[tuple[str, list[str]]]


def by_measure(frame: pd.DataFrame) -> ByMeasure:
    records = frame.to_dict("records")
    meetings = [(record["meeting_id"], meeting_heading(record["meeting_date"])) for record in records]
    measures = [column for column in COLUMNS if column not in ("meeting_id", "meeting_date")]
    return ByMeasure(
        meetings, [(COLUMN_LABELS[column], [shown(record[column]) for record in records]) for column in measures]
    )


def meeting_heading(day) -> str:
    return day if day == TOTAL else f"{day:%-d %b %Y}"


def shown(value) -> str:
    return f"{value:.1f}%" if isinstance(value, float) else str(value)
