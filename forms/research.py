from wtforms import HiddenField, RadioField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Regexp, ValidationError

from forms.base import BaseForm
from forms.cases import YES_NO
from forms.widgets import GovRadioInput, GovTextArea

MAX_TEXT = Length(max=10000, message="Enter 10,000 characters or fewer")


def text_area(label: str) -> TextAreaField:
    return TextAreaField(label, widget=GovTextArea(), validators=[MAX_TEXT])


class ResearchReturnForm(BaseForm):
    known = RadioField(
        "Is your agency involved with the victim, the person causing harm or the children?",
        widget=GovRadioInput(),
        choices=YES_NO,
        # Checked below: a draft may leave it unanswered.
        validate_choice=False,
    )
    involvement = text_area("Summary of your agency's involvement")
    risks = text_area("Risks your agency holds information on")
    open_cases = text_area("Open cases with your agency")
    proposed_actions = text_area("Actions your agency proposes")
    not_shareable = text_area("Information your agency holds but cannot share")
    not_shareable_reason = text_area("Why it cannot be shared")
    version = HiddenField(
        validators=[
            DataRequired("Reload the page and enter your return again"),
            Regexp(r"^\d+$", message="Reload the page and enter your return again"),
        ]
    )

    save_draft = SubmitField("Save as draft")
    # Set by the view: a return already sent cannot go back to being a draft.
    draft_allowed = True

    @property
    def is_draft(self) -> bool:
        return self.draft_allowed and bool(self.save_draft.data)

    def validate_known(self, field):
        if field.data in ("yes", "no") or (self.is_draft and not field.data):
            return
        raise ValidationError("Say whether your agency knows the victim, the person causing harm or the children")

    def validate_involvement(self, field):
        if not self.is_draft and self.known.data == "yes" and not (field.data or "").strip():
            raise ValidationError(
                "Enter a summary of your agency's involvement: you said your agency is involved. "
                "Or choose Save as draft to finish it later"
            )

    def validate_not_shareable_reason(self, field):
        if not self.is_draft and self.not_shareable.data and not field.data:
            raise ValidationError("Enter why the information your agency holds cannot be shared")
