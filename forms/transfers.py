from wtforms import RadioField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from forms.base import BaseForm, DayMonthYearField
from forms.cases import past_date
from forms.widgets import GovCheckboxesInput, GovRadioInput, GovTextArea, GovTextInput
from meetings.vocabulary import SENT_ITEMS

DIRECTIONS = [
    SelectChoice("in", "In: the case comes to this MARAC from another area"),
    SelectChoice("out", "Out: the case goes from this MARAC to another area"),
]


class TransferForm(BaseForm):
    direction = RadioField(
        "Which way is the case moving?",
        widget=GovRadioInput(),
        choices=DIRECTIONS,
        validators=[InputRequired("Choose whether the case is coming in from another area or going out to one")],
    )
    other_area = StringField(
        "The other MARAC area",
        widget=GovTextInput(),
        validators=[
            DataRequired("Enter the other MARAC area, for example Northshire"),
            Length(max=120, message="Enter an area of 120 characters or fewer"),
        ],
    )
    transferred_on = DayMonthYearField(
        "Date of the transfer",
        validators=[
            InputRequired("Enter the date of the transfer"),
            past_date("Enter a transfer date that is today or in the past"),
        ],
    )
    sent = SelectMultipleField(
        "What was sent or received",
        widget=GovCheckboxesInput(),
        choices=[SelectChoice(value, label) for value, label in SENT_ITEMS.items()],
    )
    note = TextAreaField(
        "Anything else sent or received (optional)",
        widget=GovTextArea(),
        validators=[Optional(), Length(max=2000, message="Enter a note of 2,000 characters or fewer")],
    )

    def validate_sent(self, field):
        if not field.data and not self.note.data:
            raise ValidationError("Choose what was sent or received, or describe it in the note")
