from dataclasses import dataclass
from datetime import date, datetime

from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields import SelectChoice
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from forms.base import BaseForm, DayMonthYearField
from forms.widgets import (
    GovCheckboxesInput,
    GovCheckboxInput,
    GovRadioInput,
    GovSelect,
    GovTextArea,
    GovTextInput,
)
from meetings.vocabulary import CASE_OUTCOME_LABELS

LONG_TEXT = Length(max=20000, message="Enter 20,000 characters or fewer")


def parsed_time(text):
    try:
        return datetime.strptime(text or "", "%H:%M").time()
    except (TypeError, ValueError):
        return None


class TimeField(StringField):
    """A time typed as 24-hour hours and minutes, like 10:00 or 14:30."""

    def process_data(self, value):
        """Parsed here too: an empty POST brings no form data, leaving only the default to check."""
        super().process_data(value)
        self.time = parsed_time(self.data)

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        self.time = parsed_time(self.data)

    def pre_validate(self, form):
        if self.data and self.time is None:
            raise ValidationError("Enter the time as hours and minutes on the 24-hour clock, like 10:00 or 14:30")


class CreateMeetingForm(BaseForm):
    kind = RadioField(
        "Kind of meeting",
        widget=GovRadioInput(),
        choices=[
            SelectChoice("scheduled", "Scheduled meeting"),
            SelectChoice("emergency", "Emergency meeting: a risk that cannot wait for the next one"),
        ],
        default="scheduled",
        validators=[InputRequired("Choose the kind of meeting")],
    )
    starts_on = DayMonthYearField(
        "Date of the (first) meeting", validators=[InputRequired("Enter the date of the meeting")]
    )
    starts_at_time = TimeField(
        "Start time",
        widget=GovTextInput(),
        default="10:00",
        validators=[DataRequired("Enter the start time, like 10:00")],
    )
    online = BooleanField("The meeting is online", widget=GovCheckboxInput())
    venue = StringField(
        "Venue", widget=GovTextInput(), validators=[Length(max=200, message="Enter a venue of 200 characters or fewer")]
    )
    chair_id = SelectField("Chair", widget=GovSelect(), validators=[Optional()])
    capacity = IntegerField(
        "Number of cases",
        widget=GovTextInput(),
        validators=[
            InputRequired("Enter how many cases the meeting can hear"),
            NumberRange(1, 60, "Enter a number of cases from 1 to 60"),
        ],
    )
    minutes_per_case = IntegerField(
        "Minutes per case",
        widget=GovTextInput(),
        default=15,
        validators=[
            InputRequired("Enter the minutes per case"),
            NumberRange(5, 60, "Enter minutes per case from 5 to 60"),
        ],
    )
    repeat = RadioField(
        "How often",
        widget=GovRadioInput(),
        choices=[
            SelectChoice("once", "Once"),
            SelectChoice("fortnightly", "Fortnightly"),
            SelectChoice("monthly", "Monthly, on the same weekday of the month"),
        ],
        default="once",
        validators=[InputRequired("Choose how often the meeting repeats")],
    )
    count = IntegerField(
        "Number of meetings to set up",
        widget=GovTextInput(),
        default=1,
        validators=[Optional(), NumberRange(1, 26, "Enter a number of meetings from 1 to 26")],
    )

    def validate_starts_on(self, field):
        if field.data and field.data < date.today():
            raise ValidationError("Enter a date that is today or later")

    def validate_venue(self, field):
        if not self.online.data and not field.data:
            raise ValidationError("Enter the venue, or say the meeting is online")

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        if self.repeat.data in ("fortnightly", "monthly") and not self.count.data and not self.count.errors:
            self.count.errors.append("Enter how many meetings to set up")
            return False
        return valid


class InvitationsForm(BaseForm):
    agency_ids = SelectMultipleField(
        "Agencies invited",
        widget=GovCheckboxesInput(),
        coerce=int,
        validators=[DataRequired("Choose at least one agency to invite")],
    )


REGISTER_BLANK_ROWS = 3
REGISTER_MOST_ROWS = 60
INVITED_STATUSES = {"present": "Present", "apologies": "Apologies", "not-attending": "Not attending"}
OTHER_STATUSES = {"present": "Present", "apologies": "Apologies", "observer": "Observer"}
NOT_ATTENDING = "not-attending"


@dataclass(frozen=True)
class RegisterRow:
    """One line of the register: an invited agency (key "agency-<id>") or someone else ("other-<n>")."""

    key: str
    agency_id: int | None
    name: str
    status: str
    information_sent: bool = False
    invited: bool = False

    @property
    def statuses(self) -> dict[str, str]:
        return INVITED_STATUSES if self.invited else OTHER_STATUSES

    @property
    def is_blank(self) -> bool:
        return not self.invited and not (self.agency_id or self.name or self.status)

    @property
    def attends(self) -> bool:
        return self.status not in ("", NOT_ATTENDING)

    @property
    def hears_statement(self) -> bool:
        return self.status in ("present", "observer")


def register_rows_from(formdata, invited_agency_ids: list[int]) -> list[RegisterRow]:
    """The register as posted: a row for each invited agency, then the other rows the page showed."""
    rows = [row_from(formdata, f"agency-{agency_id}", agency_id, invited=True) for agency_id in invited_agency_ids]
    others = formdata.get("others", "")
    count = min(int(others), REGISTER_MOST_ROWS) if others.isdigit() else REGISTER_BLANK_ROWS
    for number in range(1, count + 1):
        agency = formdata.get(f"other-{number}-agency_id", "")
        rows.append(row_from(formdata, f"other-{number}", int(agency) if agency.isdigit() else None))
    return rows


def row_from(formdata, key: str, agency_id: int | None, *, invited: bool = False) -> RegisterRow:
    return RegisterRow(
        key=key,
        agency_id=agency_id,
        name=formdata.get(f"{key}-name", "").strip(),
        status=formdata.get(f"{key}-status", ""),
        information_sent=formdata.get(f"{key}-information_sent") == "y",
        invited=invited,
    )


def register_errors(rows: list[RegisterRow], agency_names: dict[int, str], *, confirmed: bool) -> dict[str, str]:
    """What to fix, by the id of the field to fix, in the order of the page."""
    errors = {}
    for row in rows:
        errors |= row_errors(row, agency_names)
    if any(row.hears_statement for row in rows) and not confirmed:
        errors["confidentiality_confirmed"] = (
            "Confirm that everyone present has heard and agreed to the confidentiality statement"
        )
    return errors


def row_errors(row: RegisterRow, agency_names: dict[int, str]) -> dict[str, str]:
    if row.is_blank:
        return {}
    who = agency_names.get(row.agency_id, "") if row.invited else (row.name or "the person added")
    if row.status not in row.statuses:
        if row.invited:
            return {f"{row.key}-status": f"Say whether {who} is present, sent apologies or is not attending"}
        return {f"{row.key}-status": f"Say whether {who} is present, an observer or sent apologies"}
    if not row.invited and row.agency_id not in agency_names:
        return {f"{row.key}-agency_id": f"Choose the agency of {who}"}
    if row.attends and not row.name:
        return {f"{row.key}-name": f"Enter the name of who attends for {who or 'this agency'}"}
    if len(row.name) > 100:
        return {f"{row.key}-name": "Enter a name of 100 characters or fewer"}
    return {}


class CaseMinutesForm(BaseForm):
    version = HiddenField()
    victim_views = TextAreaField("The victim's views, from the IDVA", widget=GovTextArea(), validators=[LONG_TEXT])
    information_shared = TextAreaField("Other information shared", widget=GovTextArea(), validators=[LONG_TEXT])
    risks_to_victim = TextAreaField("Risks to the victim", widget=GovTextArea(), validators=[LONG_TEXT])
    risks_to_children = TextAreaField("Risks to children", widget=GovTextArea(), validators=[LONG_TEXT])
    risks_to_others = TextAreaField("Risks to other adults", widget=GovTextArea(), validators=[LONG_TEXT])
    risks_to_professionals = TextAreaField("Risks to professionals", widget=GovTextArea(), validators=[LONG_TEXT])
    decisions = TextAreaField("Decisions", widget=GovTextArea(), validators=[LONG_TEXT])
    outcome = RadioField(
        "Outcome",
        widget=GovRadioInput(),
        choices=[SelectChoice(outcome.value, label) for outcome, label in CASE_OUTCOME_LABELS.items()],
        validators=[Optional()],
    )

    def validate_version(self, field):
        if not (field.data or "").isdigit():
            raise ValidationError("Reload the page and try again")


def case_minutes_form(agencies, **kwargs) -> CaseMinutesForm:
    """The minutes form with a box for what each invited agency shared."""

    class WithAgencies(CaseMinutesForm):
        pass

    for agency in agencies:
        setattr(
            WithAgencies,
            f"agency-{agency.id}",
            TextAreaField(f"Shared by {agency.name}", widget=GovTextArea(), validators=[LONG_TEXT]),
        )
    return WithAgencies(**kwargs)


MEETING_VERSION = HiddenField(validators=[InputRequired("Reload the page and make your change again")])


class EditMeetingForm(BaseForm):
    """A meeting's details before it starts; its date is changed by rescheduling."""

    starts_at_time = CreateMeetingForm.starts_at_time
    online = CreateMeetingForm.online
    venue = CreateMeetingForm.venue
    chair_id = CreateMeetingForm.chair_id
    capacity = CreateMeetingForm.capacity
    minutes_per_case = CreateMeetingForm.minutes_per_case
    version = MEETING_VERSION

    validate_venue = CreateMeetingForm.validate_venue


class RescheduleMeetingForm(BaseForm):
    starts_on = DayMonthYearField("New date", validators=[InputRequired("Enter the new date of the meeting")])
    starts_at_time = CreateMeetingForm.starts_at_time
    version = MEETING_VERSION

    validate_starts_on = CreateMeetingForm.validate_starts_on


class CancelMeetingForm(BaseForm):
    version = MEETING_VERSION
