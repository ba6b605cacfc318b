from datetime import date

from wtforms import BooleanField, HiddenField, RadioField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields import SelectChoice
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    Optional,
    Regexp,
    ValidationError,
)

from cases.vocabulary import INCIDENT_TYPE_LABELS
from forms.base import BaseForm, DayMonthYearField
from forms.widgets import (
    GovCheckboxesInput,
    GovCheckboxInput,
    GovRadioInput,
    GovTextArea,
    GovTextInput,
)

PHONE_PATTERN = r"^[0-9 +()\-]{7,30}$"
POSTCODE_PATTERN = r"^[A-Za-z]{1,2}[0-9][A-Za-z0-9]? ?[0-9][A-Za-z]{2}$"
INCIDENT_TYPES = list(INCIDENT_TYPE_LABELS.items())
TIERS = [
    SelectChoice("1", "Standard"),
    SelectChoice("2", "Medium"),
    SelectChoice("3", "High"),
    SelectChoice("4", "Very high: serious harm could happen now"),
]
YES_NO = [SelectChoice("yes", "Yes"), SelectChoice("no", "No")]
NOT_KNOWN = "not-known"


def past_date(message: str):
    def check(form, field):
        if field.data and field.data > date.today():
            raise ValidationError(message)
        if field.data and field.data.year < date.today().year - 120:
            raise ValidationError("Enter a date within the last 120 years")

    return check


class PersonFields(BaseForm):
    given_name = StringField(
        "Given name",
        widget=GovTextInput(),
        validators=[
            DataRequired("Enter the person's given name"),
            Length(max=100, message="Enter a given name of 100 characters or fewer"),
        ],
    )
    family_name = StringField(
        "Family name",
        widget=GovTextInput(),
        validators=[
            DataRequired("Enter the person's family name"),
            Length(max=100, message="Enter a family name of 100 characters or fewer"),
        ],
    )
    date_of_birth = DayMonthYearField(
        "Date of birth", validators=[Optional(), past_date("Enter a date of birth in the past")]
    )


class FindVictimForm(PersonFields):
    postcode = StringField(
        "Postcode",
        widget=GovTextInput(),
        validators=[Optional(), Regexp(POSTCODE_PATTERN, message="Enter a real postcode, like SW1A 1AA")],
    )
    action = HiddenField()


PARTY_ROLES = [
    SelectChoice("perpetrator", "A person causing harm (perpetrator)"),
    SelectChoice("child", "A child of the victim or in the household"),
    SelectChoice("household-member", "Another adult in the household"),
]


class PartyForm(PersonFields):
    role = RadioField(
        "Who is this?",
        widget=GovRadioInput(),
        choices=PARTY_ROLES,
        validators=[InputRequired("Choose whether this is a person causing harm, a child or another adult")],
    )
    aliases = StringField(
        "Other names used (optional)",
        widget=GovTextInput(),
        validators=[Optional(), Length(max=300, message="Enter 300 characters or fewer")],
    )
    relationship_to_victim = StringField(
        "Relationship to the victim (optional)",
        widget=GovTextInput(),
        validators=[Optional(), Length(max=60, message="Enter 60 characters or fewer")],
    )

    def is_blank(self) -> bool:
        """Nothing typed: on the referral form the section is optional."""
        typed = [self.role.data, self.given_name.data, self.family_name.data, self.aliases.data]
        typed += [self.relationship_to_victim.data, *(self.date_of_birth.raw_data or [])]
        return not any(value for value in typed if value not in (None, "None"))


class ChooseToolForm(BaseForm):
    tool = RadioField(
        "Which risk tool are you using?",
        widget=GovRadioInput(),
        validators=[InputRequired("Choose the risk tool you are completing")],
    )
    assessed_on = DayMonthYearField(
        "Date of the assessment",
        validators=[
            InputRequired("Enter the date of the assessment"),
            past_date("Enter a date that is not in the future"),
        ],
    )
    source_if_not_victim = StringField(
        "Source of the answers, if not the victim",
        widget=GovTextInput(),
        validators=[Optional(), Length(max=200, message="Enter 200 characters or fewer")],
    )


class JudgementForm(BaseForm):
    tier = RadioField(
        "Your judgement of the risk",
        widget=GovRadioInput(),
        choices=TIERS,
        validators=[InputRequired("Choose the level of risk you judge there to be")],
    )
    rationale = TextAreaField(
        "Why: the concerns and what they are based on",
        widget=GovTextArea(),
        validators=[
            DataRequired("Enter the reasons for your judgement"),
            Length(max=10000, message="Enter 10,000 characters or fewer"),
        ],
    )


class IncidentForm(BaseForm):
    occurred_on = DayMonthYearField(
        "Date of the incident",
        validators=[
            InputRequired("Enter the date of the incident"),
            past_date("Enter a date that is not in the future"),
        ],
    )
    type = RadioField(
        "What happened",
        widget=GovRadioInput(),
        choices=[SelectChoice(value, label) for value, label in INCIDENT_TYPES],
        validators=[InputRequired("Choose what kind of incident it was")],
    )
    agency_id = RadioField(
        "Reported to",
        widget=GovRadioInput(),
        validators=[InputRequired("Choose the agency the incident was reported to")],
    )
    perpetrator_id = RadioField("Who caused harm", widget=GovRadioInput(), validators=[Optional()])
    reference = StringField(
        "Agency reference (optional)",
        widget=GovTextInput(),
        validators=[Optional(), Length(max=60, message="Enter 60 characters or fewer")],
    )


MAX_EXCLUDED_PEOPLE = 20
MAX_EXCLUSION_LINE = 200


def exclusion_lines(text: str | None) -> list[str]:
    """One person a line, blank lines ignored."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class ReferralForm(BaseForm):
    idempotency_key = HiddenField(validators=[DataRequired("Reload the page and try again")])
    # Correcting a sent referral: the version it was opened at, so a change by the coordinator is not overwritten.
    version = HiddenField(validators=[Optional(), Regexp(r"^\d{1,9}$", message="Reload the page and try again")])
    perpetrator_not_known = BooleanField(
        "No person causing harm can be named yet",
        widget=GovCheckboxInput(),
        validators=[Optional()],
    )
    risk_summary = TextAreaField(
        "Your summary of the risk",
        widget=GovTextArea(),
        validators=[
            DataRequired("Enter your summary of the risk: what has happened and what you fear will happen"),
            Length(max=10000, message="Enter 10,000 characters or fewer"),
        ],
    )
    victim_wants = TextAreaField(
        "What the victim wants from the MARAC",
        widget=GovTextArea(),
        validators=[
            DataRequired("Enter what the victim wants from the MARAC, or say that you could not ask her and why"),
            Length(max=10000, message="Enter 10,000 characters or fewer"),
        ],
    )
    victim_informed = RadioField(
        "Has the victim been told about the referral?",
        widget=GovRadioInput(),
        choices=YES_NO,
        validators=[InputRequired("Say whether the victim has been told about the referral")],
    )
    consent_given = RadioField(
        "Has the victim agreed to the referral?",
        widget=GovRadioInput(),
        choices=YES_NO,
        validators=[InputRequired("Say whether the victim has agreed to the referral")],
    )
    no_consent_reason = TextAreaField(
        "Why you are referring without consent",
        widget=GovTextArea(),
        validators=[Length(max=10000, message="Enter 10,000 characters or fewer")],
    )
    referrer_phone = StringField(
        "Your phone number",
        widget=GovTextInput(),
        validators=[
            DataRequired("Enter a phone number the coordinator can reach you on"),
            Regexp(PHONE_PATTERN, message="Enter a phone number using digits, spaces and + only"),
        ],
    )
    referrer_email = StringField(
        "Your e-mail address",
        widget=GovTextInput(),
        validators=[
            DataRequired("Enter an e-mail address the coordinator can reach you at"),
            Email("Enter an e-mail address like name@example.org"),
            Length(max=254, message="Enter 254 characters or fewer"),
        ],
    )
    other_agency_ids = SelectMultipleField(
        "Other agencies involved with the victim, the person causing harm or the children (optional)",
        widget=GovCheckboxesInput(),
        coerce=int,
        validators=[Optional()],
    )
    other_agencies_note = StringField(
        "Any other services involved that are not listed (optional)",
        widget=GovTextInput(),
        validators=[Optional(), Length(max=500, message="Enter 500 characters or fewer")],
    )

    excluded_people = TextAreaField(
        "People who must not receive information about this case (optional)",
        widget=GovTextArea(),
        validators=[Optional()],
    )

    def validate_no_consent_reason(self, field):
        if self.consent_given.data == "no" and not (field.data or "").strip():
            raise ValidationError("Enter why you are referring without the victim's consent")

    def excluded_people_entries(self) -> list[tuple[str, str | None]]:
        """Each line as (name, note): the note is whatever follows the first comma."""
        entries = []
        for line in exclusion_lines(self.excluded_people.data):
            name, _, note = line.partition(",")
            entries.append((" ".join(name.split()), " ".join(note.split()) or None))
        return entries

    def validate_excluded_people(self, field):
        lines = exclusion_lines(field.data)
        if len(lines) > MAX_EXCLUDED_PEOPLE:
            raise ValidationError(
                f"Enter {MAX_EXCLUDED_PEOPLE} people or fewer, one on each line; you entered {len(lines)}"
            )
        for number, line in enumerate(lines, start=1):
            if len(line) > MAX_EXCLUSION_LINE:
                raise ValidationError(
                    f"Shorten person {number} on the list to {MAX_EXCLUSION_LINE} characters or fewer"
                )
            if not line.partition(",")[0].strip():
                raise ValidationError(f"Enter a name before the comma for person {number} on the list")


class DecisionReasonForm(BaseForm):
    reason = TextAreaField(
        "Reason",
        widget=GovTextArea(),
        validators=[DataRequired("Enter the reason"), Length(max=10000, message="Enter 10,000 characters or fewer")],
    )


class BreakGlassForm(BaseForm):
    reason = TextAreaField(
        "Why do you need to open this case now?",
        widget=GovTextArea(),
        validators=[
            DataRequired("Enter why you need to open this case"),
            Length(min=20, max=1000, message="Enter between 20 and 1,000 characters: say why you need the case now"),
        ],
    )


class SafeContactForm(BaseForm):
    phone = StringField(
        "Safe phone number",
        widget=GovTextInput(),
        validators=[
            Optional(),
            Regexp(PHONE_PATTERN, message="Enter a phone number using digits, spaces and + only"),
        ],
    )
    safe_to_call = RadioField(
        "Is it safe to call this number?",
        widget=GovRadioInput(),
        choices=YES_NO,
        coerce=lambda value: value in (True, "yes"),
        validators=[InputRequired("Say whether it is safe to call")],
    )
    safe_address = TextAreaField(
        "Safe address",
        widget=GovTextArea(),
        validators=[Optional(), Length(max=500, message="Enter 500 characters or fewer")],
    )


def choices(*labels: str) -> list[SelectChoice]:
    return [SelectChoice("", "Not known")] + [SelectChoice(label, label) for label in labels]


class PersonDetailsForm(BaseForm):
    aliases = StringField(
        "Other names used",
        widget=GovTextInput(),
        validators=[Optional(), Length(max=300, message="Enter 300 characters or fewer")],
    )
    date_of_birth_variants = StringField(
        "Other dates of birth on agency records",
        widget=GovTextInput(),
        validators=[
            Optional(),
            Regexp(
                r"^\d{4}(-\d{2}(-\d{2})?)?(\s*,\s*\d{4}(-\d{2}(-\d{2})?)?)*$",
                message="Enter dates like 1990-05-01, or 1990-05 or 1990 if only part is known, separated by commas",
            ),
        ],
    )
    gender = RadioField(
        "Gender",
        widget=GovRadioInput(),
        choices=choices("Female", "Male", "Non-binary", "Other"),
        validators=[Optional()],
    )
    ethnicity = RadioField(
        "Ethnic group",
        widget=GovRadioInput(),
        choices=choices(
            "White",
            "Mixed or multiple ethnic groups",
            "Asian or Asian British",
            "Black, Black British, Caribbean or African",
            "Other ethnic group",
        ),
        validators=[Optional()],
    )
    disability = RadioField("Disability", widget=GovRadioInput(), choices=choices("Yes", "No"), validators=[Optional()])
    sexuality = RadioField(
        "Sexual orientation",
        widget=GovRadioInput(),
        choices=choices("Heterosexual", "Gay or lesbian", "Bisexual", "Other"),
        validators=[Optional()],
    )
    language = StringField(
        "First language",
        widget=GovTextInput(),
        validators=[Optional(), Length(max=60, message="Enter 60 characters or fewer")],
    )
    interpreter_needed = RadioField(
        "Needs an interpreter", widget=GovRadioInput(), choices=YES_NO, validators=[Optional()]
    )

    def person_details(self) -> dict:
        """The details as plain values, in the shape of cases.journey.PersonDetails."""
        return {
            "aliases": comma_separated(self.aliases.data),
            "date_of_birth_variants": comma_separated(self.date_of_birth_variants.data),
            "gender": self.gender.data,
            "ethnicity": self.ethnicity.data,
            "disability": self.disability.data,
            "sexuality": self.sexuality.data,
            "language": self.language.data,
            "interpreter_needed": self.interpreter_needed.data == "yes",
        }


def comma_separated(text: str | None) -> tuple[str, ...]:
    return tuple(part.strip() for part in (text or "").split(",") if part.strip())


class VictimForm(PersonDetailsForm):
    """The victim's identifiers and diversity details as the referral form asks for them."""

    address = TextAreaField(
        "Her address",
        widget=GovTextArea(),
        validators=[Optional(), Length(max=500, message="Enter 500 characters or fewer")],
    )
    postcode = StringField(
        "Postcode",
        widget=GovTextInput(),
        validators=[Optional(), Regexp(POSTCODE_PATTERN, message="Enter a real postcode, like SW1A 1AA")],
    )


def referral_form_for(party_ids: list[int], **kwargs) -> ReferralForm:
    """The referral form, with a relationship box for each person already on the case."""

    class Form(ReferralForm):
        pass

    for party_id in party_ids:
        setattr(
            Form,
            relationship_field_name(party_id),
            StringField(
                "Relationship to the victim",
                widget=GovTextInput(),
                validators=[Optional(), Length(max=60, message="Enter a relationship of 60 characters or fewer")],
            ),
        )
    return Form(**kwargs)


def relationship_field_name(party_id: int) -> str:
    return f"relationship_{party_id}"


class LegalHoldForm(BaseForm):
    """SECURITY D5: why a case must not be anonymised when its retention period ends, or why it now may."""

    reason = TextAreaField(
        "Reason",
        widget=GovTextArea(),
        validators=[
            DataRequired("Enter the reason"),
            Length(max=2000, message="Enter 2,000 characters or fewer"),
        ],
    )
