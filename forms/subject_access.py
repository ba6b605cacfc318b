"""Subject access requests (SECURITY D6): recording one, saying who it is about, deciding on each item."""

from datetime import date, datetime

from wtforms import BooleanField, RadioField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields import SelectChoice
from wtforms.validators import InputRequired, Length, ValidationError

from forms.base import BaseForm, DayMonthYearField
from forms.widgets import (
    GovCheckboxesInput,
    GovCheckboxInput,
    GovRadioInput,
    GovSelect,
    GovTextArea,
    GovTextInput,
)
from reports.vocabulary import ItemDecision, ReceivedBy, RequesterKind, exemptions

DATE_FORMATS = ("%d/%m/%Y", "%d %m %Y", "%d-%m-%Y", "%Y-%m-%d", "%d %B %Y", "%d %b %Y")


def lines_of(text: str | None) -> list[str]:
    """One term a line, blank lines left out."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def parse_day(text: str) -> date:
    for pattern in DATE_FORMATS:
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValidationError(f"Enter each date of birth as a day, month and year, like 31/1/1980 (not “{text}”)")


class DatesOfBirthField(TextAreaField):
    """Dates of birth, one a line; `days` holds them read as dates once the form is valid."""

    days: tuple[date, ...] = ()

    def pre_validate(self, form):
        days = tuple(parse_day(line) for line in lines_of(self.data))
        if any(day > date.today() for day in days):
            raise ValidationError("A date of birth must be in the past")
        self.days = days


class SubjectAccessRequestForm(BaseForm):
    requester_kind = RadioField(
        "Who is asking?",
        widget=GovRadioInput(),
        choices=[SelectChoice(kind.value, kind.label) for kind in RequesterKind],
        validators=[InputRequired("Choose who is asking")],
    )
    requester_name = StringField(
        "Name of the person asking",
        widget=GovTextInput(),
        validators=[InputRequired("Enter the name of the person asking"), Length(max=200)],
    )
    received_by = RadioField(
        "How was the request received?",
        widget=GovRadioInput(),
        choices=[SelectChoice(way.value, way.label) for way in ReceivedBy],
        validators=[InputRequired("Choose how the request was received")],
    )
    received_on = DayMonthYearField(
        "Date received", validators=[InputRequired("Enter the date the request was received")]
    )
    names = TextAreaField("Names and other names (aliases) to search for", widget=GovTextArea())
    dates_of_birth = DatesOfBirthField("Dates of birth to search for", widget=GovTextArea())
    postcodes = TextAreaField("Postcodes to search for", widget=GovTextArea())

    def validate_received_on(self, field):
        if field.data and field.data > date.today():
            raise ValidationError("The date received must be today or in the past")

    def validate_names(self, field):
        if not (lines_of(self.names.data) or lines_of(self.dates_of_birth.data) or lines_of(self.postcodes.data)):
            raise ValidationError("Enter at least one name, date of birth or postcode to search for")


class ConfirmPeopleForm(BaseForm):
    people = SelectMultipleField(
        "Which of these people is the request about?",
        widget=GovCheckboxesInput(),
        choices=[],
        validators=[InputRequired("Choose the person (or people) the request is about")],
    )


def exemption_choices() -> list[SelectChoice]:
    return [SelectChoice("", "Choose an exemption")] + [
        SelectChoice(code, f"{exemption.label} ({exemption.source})") for code, exemption in exemptions().items()
    ]


class ItemDecisionForm(BaseForm):
    decision = RadioField(
        "Decision",
        widget=GovRadioInput(),
        choices=[
            SelectChoice(decision.value, decision.label)
            for decision in ItemDecision
            if decision is not ItemDecision.TO_REVIEW
        ],
        validators=[InputRequired("Choose whether to disclose, redact or withhold the item")],
    )
    exemption = SelectField("Exemption relied on", widget=GovSelect(), choices=exemption_choices)
    redacted_text = TextAreaField(
        "Text to disclose, with [redacted] where something is taken out", widget=GovTextArea()
    )
    release_confirmed = BooleanField(
        "I have checked this item about someone else and it is safe to release to the requester",
        widget=GovCheckboxInput(),
    )


class ExtendForm(BaseForm):
    reason = TextAreaField(
        "Why does the request need more time?",
        widget=GovTextArea(),
        validators=[InputRequired("Enter why the request needs more time"), Length(max=2000)],
    )


class ConfirmForm(BaseForm):
    """Only the CSRF token: a step confirmed by its own page."""
