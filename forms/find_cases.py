from wtforms import HiddenField, SelectField, SelectMultipleField, StringField
from wtforms.fields import SelectChoice
from wtforms.validators import Length, Optional, ValidationError

from cases.vocabulary import REFERRAL_STATE_LABELS, normalise_reference
from forms.base import BaseForm, DayMonthYearField
from forms.widgets import GovCheckboxesInput, GovSelect, GovTextInput
from meetings.vocabulary import CASE_FLAG_LABELS, CASE_SORT_LABELS, CaseSort
from risk.matching import normalise_postcode, postcode_district


def postcode_or_district(form, field):
    if field.data and not (normalise_postcode(field.data) or postcode_district(field.data)):
        raise ValidationError("Enter a postcode, like SW1A 1AA, or the first half of one, like SW1A")


def case_reference_shape(form, field):
    if field.data and normalise_reference(field.data) is None:
        raise ValidationError("Enter a case reference like RIV-2026-0142: letters, the year, then the number")


class FindCasesForm(BaseForm):
    """Sent by POST, so no name, date of birth or postcode ever sits in a URL (SECURITY D2)."""

    name = StringField(
        "Name",
        widget=GovTextInput(),
        validators=[Optional(), Length(max=200, message="Enter a name of 200 characters or fewer")],
    )
    date_of_birth = DayMonthYearField(
        "Date of birth",
        validators=[Optional()],
        invalid_value_message="Enter the date of birth as a day, month and year, like 27 3 1990",
    )
    postcode = StringField("Postcode", widget=GovTextInput(), validators=[Optional(), postcode_or_district])
    reference = StringField("Case reference", widget=GovTextInput(), validators=[Optional(), case_reference_shape])
    referral_state = SelectField(
        "Where the referral stands",
        widget=GovSelect(),
        choices=[SelectChoice("", "Any")]
        + [SelectChoice(state, label) for state, label in REFERRAL_STATE_LABELS.items()],
        validators=[Optional()],
    )
    meeting = SelectField("Next meeting", widget=GovSelect(), validators=[Optional()])
    agency = SelectField("Referred by", widget=GovSelect(), validators=[Optional()])
    flags = SelectMultipleField(
        "Only cases that are or have",
        widget=GovCheckboxesInput(),
        choices=[SelectChoice(flag, label) for flag, label in CASE_FLAG_LABELS.items()],
        validators=[Optional()],
    )
    sort = SelectField(
        "Sort by",
        widget=GovSelect(),
        choices=[SelectChoice(sort, label) for sort, label in CASE_SORT_LABELS.items()],
        default=CaseSort.NEWEST.value,
    )
    page = HiddenField()

    def page_number(self) -> int:
        return int(self.page.data) if (self.page.data or "").isdigit() else 1

    def agency_id(self) -> int | None:
        return int(self.agency.data) if (self.agency.data or "").isdigit() else None
