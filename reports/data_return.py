"""The quarterly MARAC data return (SafeLives, brief §8.12): one row of counts per meeting held.

Three queries fetch the meetings held, the cases on their agendas and the people in those cases;
pandas does the counting. The definitions, decided here and shown to users in COLUMN_LABELS:

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
  agenda items before the dates of birth were removed, so past quarters' figures do not change.
"""

from dataclasses import dataclass
from datetime import date

import pandas as pd
from sqlalchemy import select

from access.models import Agency
from access.vocabulary import AGENCY_KIND_LABELS, AgencyKind
from cases.models import Case, CaseParty, PartyRole, Person, Referral
from extensions import db
from meetings.models import AgendaItem, CaseMinutes, CaseOutcome
from meetings.retention import AGED_16_OR_17
from meetings.schedule import UK_TIME
from reports import store
from reports.quarters import Quarter
from risk.criteria import REPEAT

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


def list_cases_discussed(meeting_ids: list[int]) -> list[tuple]:
    query = (
        select(
            AgendaItem.meeting_id,
            AgendaItem.flags,
            Referral.case_id,
            Referral.criteria,
            Agency.kind,
            CaseMinutes.outcome,
            Person.gender,
            Person.ethnicity,
            Person.disability,
            Person.sexuality,
            Person.date_of_birth,
            AgendaItem.victim_age_band,
            AgendaItem.young_perpetrators_anonymised,
        )
        .join(Referral, AgendaItem.referral_id == Referral.id)
        .join(Agency, Referral.agency_id == Agency.id)
        .join(Case, Referral.case_id == Case.id)
        .join(Person, Case.victim_id == Person.id)
        .outerjoin(CaseMinutes, CaseMinutes.agenda_item_id == AgendaItem.id)
        # A case the meeting ended without hearing was not discussed there.
        .where(AgendaItem.meeting_id.in_(meeting_ids), AgendaItem.not_heard_at.is_(None))
    )
    return [tuple(row) for row in db.session.execute(query)]


def list_children_and_perpetrators(case_ids: list[str]) -> list[tuple]:
    query = (
        select(CaseParty.case_id, CaseParty.role, Person.date_of_birth)
        .join(Person, CaseParty.person_id == Person.id)
        .where(CaseParty.case_id.in_(case_ids), CaseParty.role.in_((PartyRole.CHILD, PartyRole.PERPETRATOR)))
    )
    return [tuple(row) for row in db.session.execute(query)]


def ages_on(days: pd.Series, dates_of_birth: pd.Series) -> pd.Series:
    """Whole years on each day; missing where the date of birth is not known."""
    days, born = pd.to_datetime(days), pd.to_datetime(dates_of_birth)
    before_birthday = (days.dt.month * 100 + days.dt.day) < (born.dt.month * 100 + born.dt.day)
    return (days.dt.year - born.dt.year - before_birthday.astype(int)).astype("Int64")


def is_repeat(row) -> bool:
    return REPEAT in (row.criteria or []) or REPEAT in (row.flags or []) or row.outcome == CaseOutcome.REPEAT


def victim_counts(cases: pd.DataFrame) -> pd.DataFrame:
    """One row per case discussed: 1 where the case counts towards a column, else 0."""
    victim_age = ages_on(cases["meeting_date"], cases["date_of_birth"])
    ethnicity = cases["ethnicity"].fillna("")
    counted = pd.DataFrame(
        {
            "meeting_id": cases["meeting_id"],
            "cases_discussed": 1,
            "repeat_cases": [is_repeat(row) for row in cases.itertuples()],
            "referrals_police": cases["agency_kind"] == AgencyKind.POLICE.value,
            "referrals_partner": cases["agency_kind"] != AgencyKind.POLICE.value,
            "victims_racially_minoritised": (ethnicity != "") & (ethnicity != WHITE),
            "victims_lgbt": cases["sexuality"].isin(LGBT_SEXUALITIES) | cases["gender"].isin(LGBT_GENDERS),
            "victims_disabled": cases["disability"] == "Yes",
            "victims_male": cases["gender"] == "Male",
            "victims_aged_16_17": victim_age.isin([16, 17]).fillna(False) | (cases["victim_age_band"] == AGED_16_OR_17),
            # Only people whose dates of birth were removed are in this count; the others are counted by party.
            "perpetrators_aged_17_or_under": cases["young_perpetrators_anonymised"].fillna(0),
        }
    )
    for kind, column in AGENCY_COLUMNS.items():
        if kind is not AgencyKind.POLICE:
            counted[column] = cases["agency_kind"] == kind.value
    return counted.astype({column: int for column in counted.columns if column != "meeting_id"})


def party_counts(cases: pd.DataFrame, parties: pd.DataFrame) -> pd.DataFrame:
    """Per case discussed and party: children, and perpetrators aged 17 or under on the meeting date."""
    joined = cases[["meeting_id", "case_id", "meeting_date"]].merge(parties, on="case_id")
    age = ages_on(joined["meeting_date"], joined["date_of_birth"])
    return pd.DataFrame(
        {
            "meeting_id": joined["meeting_id"],
            "children_in_households": (joined["role"] == PartyRole.CHILD.value).astype(int),
            "perpetrators_aged_17_or_under": (
                (joined["role"] == PartyRole.PERPETRATOR.value) & (age <= 17).fillna(False)
            ).astype(int),
        }
    )


def cases_frame(meetings: pd.DataFrame, rows: list[tuple]) -> pd.DataFrame:
    columns = [
        "meeting_id",
        "flags",
        "case_id",
        "criteria",
        "agency_kind",
        "outcome",
        "gender",
        "ethnicity",
        "disability",
        "sexuality",
        "date_of_birth",
        "victim_age_band",
        "young_perpetrators_anonymised",
    ]
    cases = pd.DataFrame(rows, columns=columns, dtype=object)
    cases["agency_kind"] = cases["agency_kind"].map(lambda kind: kind.value)
    cases["meeting_id"] = cases["meeting_id"].astype(int)
    return cases.merge(meetings[["meeting_id", "meeting_date"]], on="meeting_id")


def meeting_rows(first_day: date, last_day: date) -> pd.DataFrame:
    """One row per MARAC meeting held from first_day to last_day (UK dates, inclusive), earliest first."""
    held = [(meeting.id, meeting.starts_at) for meeting in store.list_meetings_held(first_day, last_day)]
    meetings = pd.DataFrame(
        {
            "meeting_id": pd.Series([meeting_id for meeting_id, _ in held], dtype="int64"),
            "meeting_date": pd.Series([starts_at.astimezone(UK_TIME).date() for _, starts_at in held], dtype=object),
        }
    )
    cases = cases_frame(meetings, list_cases_discussed(meetings["meeting_id"].tolist()))
    parties = pd.DataFrame(
        list_children_and_perpetrators(cases["case_id"].unique().tolist()),
        columns=["case_id", "role", "date_of_birth"],
        dtype=object,
    )
    parties["role"] = parties["role"].map(lambda role: role.value)
    counted = pd.concat([victim_counts(cases), party_counts(cases, parties)], ignore_index=True)
    totals = counted.groupby("meeting_id").sum().reindex(columns=INTEGER_COLUMNS, fill_value=0)
    frame = meetings.merge(totals, left_on="meeting_id", right_index=True, how="left")
    frame[INTEGER_COLUMNS] = frame[INTEGER_COLUMNS].fillna(0).astype("int64")
    frame["partner_referral_percent"] = partner_percent(
        frame["referrals_partner"], frame["referrals_police"] + frame["referrals_partner"]
    )
    return frame[COLUMNS].reset_index(drop=True)


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
