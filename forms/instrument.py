"""Builds a form for a tool pack at run time: one field per item, by answer type."""

from wtforms import HiddenField, RadioField, TextAreaField
from wtforms.fields import SelectChoice
from wtforms.validators import UUID, DataRequired, Length, Optional

from forms.base import BaseForm
from forms.widgets import GovRadioInput, GovTextArea
from risk.answers import ANSWER_LABELS, RATING_LABELS, Answer


def yes_no_field(item):
    """ "Not applicable" is offered only where the pack allows it: anywhere else it would hide a missing answer."""
    answers = [answer for answer in ANSWER_LABELS if answer is not Answer.NOT_APPLICABLE or item.may_be_not_applicable]
    return RadioField(
        item.numbered_label,
        choices=[SelectChoice(answer.value, ANSWER_LABELS[answer]) for answer in answers],
        widget=GovRadioInput(),
        validators=[Optional()],
    )


def rating_field(item):
    return RadioField(
        item.numbered_label,
        choices=[SelectChoice(rating.value, label) for rating, label in RATING_LABELS.items()],
        widget=GovRadioInput(),
        validators=[Optional()],
    )


def choice_field(item):
    return RadioField(
        item.numbered_label,
        choices=[SelectChoice(choice.id, choice.label) for choice in item.choices],
        widget=GovRadioInput(),
        validators=[Optional()],
    )


FIELD_FOR_ANSWER_TYPE = {"yes-no": yes_no_field, "rating": rating_field, "choice": choice_field}


COMMENT_SUFFIX = "_comment"


def comment_field():
    return TextAreaField(
        "Comments (optional)",
        widget=GovTextArea(),
        validators=[Optional(), Length(max=2000, message="Enter 2,000 characters or fewer")],
    )


def form_class_for(pack) -> type[BaseForm]:
    fields = {}
    for item in pack.items:
        fields[item.id] = FIELD_FOR_ANSWER_TYPE[item.answer_type](item)
        fields[item.id + COMMENT_SUFFIX] = comment_field()
    return type(f"{pack.id.title().replace('-', '')}Form", (BaseForm,), fields)


RELOAD = "Reload the page and try again"


def change_form_class_for(pack) -> type[BaseForm]:
    """The tool's form again, for changing a completed assessment's answers: with why, and the form's one-time key."""
    fields = {
        "reason": TextAreaField(
            "Why are you changing the answers?",
            widget=GovTextArea(),
            validators=[
                DataRequired("Enter why you are changing the answers"),
                Length(max=2000, message="Enter 2,000 characters or fewer"),
            ],
        ),
        "change_key": HiddenField(validators=[DataRequired(RELOAD), UUID(RELOAD)]),
        # Sent back once the page has said that the new answers lower the risk tier.
        "lower_tier_accepted": HiddenField(validators=[Optional(), Length(max=20, message=RELOAD)]),
    }
    return type(f"{pack.id.title().replace('-', '')}ChangeForm", (form_class_for(pack),), fields)
