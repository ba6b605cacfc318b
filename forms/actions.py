from datetime import date, timedelta

from flask import current_app
from wtforms import BooleanField, HiddenField, IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from forms.base import BaseForm, DayMonthYearField, optional_id
from forms.widgets import GovCheckboxInput, GovRadioInput, GovSelect, GovTextArea, GovTextInput
from meetings.vocabulary import ActionStatus

ACTION_STATUSES = [SelectChoice(status.value, status.label) for status in ActionStatus]
ANY_STATUS = "any"
TRACKER_STATUSES = [SelectChoice(ANY_STATUS, "Any status"), *ACTION_STATUSES]
TRACKER_SORTS = [
    SelectChoice("due", "Overdue first, then due soonest"),
    SelectChoice("due-latest", "Due latest first"),
    SelectChoice("case", "Case reference"),
    SelectChoice("newest", "Agreed most recently"),
]


def due_date_problem(due_on: date, today: date, latest_days: int) -> str | None:
    """A due date is today or later, and not so far ahead that it is surely a slip (a year typed wrong)."""
    if due_on < today:
        return "Enter a due date that is today or later"
    latest = today + timedelta(days=latest_days)
    if due_on > latest:
        return f"Enter a due date on or before {latest.strftime('%-d %B %Y')}, at most {latest_days} days ahead"
    return None


def check_due_date(field) -> None:
    """For the forms that set a due date: when an action is agreed and when it is edited."""
    if field.data:
        problem = due_date_problem(field.data, date.today(), current_app.config["ACTION_LATEST_DUE_DAYS"])
        if problem:
            raise ValidationError(problem)


class FilterDateField(DayMonthYearField):
    """A date typed into the tracker's filter: one that does not exist gets a message saying what to type."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError("Enter a real date, like 31 1 2027") from None


class ActionUpdateForm(BaseForm):
    status = RadioField(
        "Status of the action",
        widget=GovRadioInput(),
        choices=ACTION_STATUSES,
        validators=[InputRequired("Choose the status of the action")],
    )
    completion_note = TextAreaField(
        "Completion note",
        widget=GovTextArea(),
        validators=[Length(max=10000, message="Enter a completion note of 10,000 characters or fewer")],
    )
    version = HiddenField()

    def validate_completion_note(self, field):
        if self.status.data and self.status.data != "open" and not field.data:
            raise ValidationError("Enter a completion note: what was done, or why it was not possible or not done")

    def validate_version(self, field):
        if not (field.data or "").isdigit():
            raise ValidationError("Reload the page and try again")


class ActionForm(BaseForm):
    description = TextAreaField(
        "What needs doing",
        widget=GovTextArea(),
        validators=[
            DataRequired("Enter what needs doing"),
            Length(max=2000, message="Enter 2,000 characters or fewer"),
        ],
    )
    owner_agency_id = SelectField(
        "Agency that owns it",
        widget=GovSelect(),
        coerce=optional_id,
        validators=[InputRequired("Choose the agency that owns the action")],
    )
    owner_name = StringField(
        "Named person",
        widget=GovTextInput(),
        validators=[
            DataRequired("Enter the name of the person who will do it"),
            Length(max=100, message="Enter a name of 100 characters or fewer"),
        ],
    )
    due_on = DayMonthYearField("Due date", validators=[InputRequired("Enter the date it is due")])

    def validate_due_on(self, field):
        check_due_date(field)


class ActionEditForm(ActionForm):
    """What the MARAC agreed, changed by the coordinator or the meeting's chair, always with a reason."""

    reason = TextAreaField(
        "Why are you changing it?",
        widget=GovTextArea(),
        validators=[
            DataRequired("Enter why you are changing the action"),
            Length(max=2000, message="Enter a reason of 2,000 characters or fewer"),
        ],
    )
    version = HiddenField()

    def __init__(self, *args, saved_due_on: date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.saved_due_on = saved_due_on

    def validate_due_on(self, field):
        # An overdue action keeps its past due date while something else about it is put right.
        if field.data != self.saved_due_on:
            check_due_date(field)

    def validate_version(self, field):
        if not (field.data or "").isdigit():
            raise ValidationError("Reload the page and try again")


class ActionFilterForm(BaseForm):
    """Search, filters, sort and page of the action tracker; read from the query string."""

    class Meta:
        csrf = False

    q = StringField(
        "Case reference or words of the action",
        widget=GovTextInput(),
        validators=[Optional(), Length(max=100, message="Enter 100 characters or fewer")],
    )
    status = SelectField("Status", widget=GovSelect(), choices=TRACKER_STATUSES, validators=[Optional()])
    agency = SelectField("Agency", widget=GovSelect(), coerce=str, validators=[Optional()])
    overdue = BooleanField("Overdue only", widget=GovCheckboxInput())
    due_before = FilterDateField("Due before", validators=[Optional()])
    sort = SelectField("Sort within each agency", widget=GovSelect(), choices=TRACKER_SORTS, validators=[Optional()])
    page = IntegerField(validators=[Optional(), NumberRange(min=1, max=100000, message="Enter a page number")])

    def selected_agency_id(self) -> int | None:
        value = self.agency.data or ""
        return int(value) if value.isdigit() else None

    def selected_status(self) -> ActionStatus | None:
        """Open unless another status, or any, is chosen."""
        if self.status.data == ANY_STATUS:
            return None
        return ActionStatus(self.status.data) if self.status.data in set(ActionStatus) else ActionStatus.OPEN
