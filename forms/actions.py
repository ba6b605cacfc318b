from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSelect, GovTextArea
from wtforms import HiddenField, RadioField, SelectField, TextAreaField
from wtforms.fields import SelectChoice
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from forms.base import BaseForm
from meetings.vocabulary import ActionStatus

ACTION_STATUSES = [SelectChoice(status.value, status.label) for status in ActionStatus]


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


class ActionFilterForm(BaseForm):
    """The coordinator's and chair's choice of agency on the tracker; read from the query string."""

    class Meta:
        csrf = False

    agency = SelectField("Agency", widget=GovSelect(), coerce=str, validators=[Optional()])

    def selected_agency_id(self) -> int | None:
        value = self.agency.data or ""
        return int(value) if value.isdigit() else None
