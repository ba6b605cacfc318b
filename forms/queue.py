"""The referral queue's search and filters: sent by POST, so no name ever sits in a URL (SECURITY D2)."""

from wtforms import HiddenField, SelectField, SelectMultipleField, StringField
from wtforms.fields import SelectChoice
from wtforms.validators import Length, Optional

from cases.vocabulary import REFERRAL_STATE_LABELS, ReferralState
from forms.base import BaseForm
from forms.widgets import GovCheckboxesInput, GovSelect, GovTextInput
from meetings.vocabulary import QUEUE_FLAG_LABELS, QUEUE_SORT_LABELS, QueueSort
from risk.criteria import CRITERION_LABELS

QUEUE_STATES = (ReferralState.RECEIVED, ReferralState.ACCEPTED)


class QueueForm(BaseForm):
    search = StringField(
        "Case reference or victim's name",
        widget=GovTextInput(),
        validators=[Optional(), Length(max=200, message="Enter 200 characters or fewer")],
    )
    state = SelectField(
        "Where it stands",
        widget=GovSelect(),
        choices=[SelectChoice("", "Any")]
        + [SelectChoice(state.value, REFERRAL_STATE_LABELS[state.value]) for state in QUEUE_STATES],
        validators=[Optional()],
    )
    criterion = SelectField(
        "Criterion met",
        widget=GovSelect(),
        choices=[SelectChoice("", "Any")] + [SelectChoice(code, label) for code, label in CRITERION_LABELS.items()],
        validators=[Optional()],
    )
    agency = SelectField("Referred by", widget=GovSelect(), validators=[Optional()])
    flags = SelectMultipleField(
        "Only referrals",
        widget=GovCheckboxesInput(),
        choices=[SelectChoice(flag, label) for flag, label in QUEUE_FLAG_LABELS.items()],
        validators=[Optional()],
    )
    sort = SelectField(
        "Sort by",
        widget=GovSelect(),
        choices=[SelectChoice(sort.value, label) for sort, label in QUEUE_SORT_LABELS.items()],
        default=QueueSort.WAITING_LONGEST.value,
    )
    page = HiddenField()

    def page_number(self) -> int:
        return int(self.page.data) if (self.page.data or "").isdigit() else 1

    def agency_id(self) -> int | None:
        return int(self.agency.data) if (self.agency.data or "").isdigit() else None
