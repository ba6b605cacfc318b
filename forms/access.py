from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.fields import SelectChoice
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    ValidationError,
)

from access.password_policy import MAX_LENGTH, PasswordRejected, check_password_policy
from access.vocabulary import AgencyKind, Role
from forms.base import BaseForm
from forms.widgets import (
    GovCheckboxInput,
    GovPasswordInput,
    GovSelect,
    GovTextInput,
)


class SignInForm(BaseForm):
    email = EmailField(
        "Email address",
        widget=GovTextInput(),
        validators=[
            DataRequired("Enter your email address"),
            Length(max=254, message="Enter an email address of 254 characters or fewer"),
        ],
    )
    password = PasswordField(
        "Password",
        widget=GovPasswordInput(),
        validators=[InputRequired("Enter your password"), Length(max=MAX_LENGTH, message="Enter your password")],
    )


class SecondFactorForm(BaseForm):
    code = StringField(
        "Security code",
        widget=GovTextInput(),
        validators=[
            DataRequired("Enter the 6-digit code from your authenticator app"),
            Length(max=20, message="Enter the 6-digit code from your authenticator app"),
        ],
    )


class StepUpForm(BaseForm):
    """Confirm it is you (S6): the password, and the security code unless the view removes it."""

    password = PasswordField(
        "Password",
        widget=GovPasswordInput(),
        validators=[InputRequired("Enter your password"), Length(max=MAX_LENGTH, message="Enter your password")],
    )
    code = StringField(
        "Security code",
        description="The 6-digit code your authenticator app shows now",
        widget=GovTextInput(),
        validators=[
            DataRequired("Enter the 6-digit code from your authenticator app"),
            Length(max=20, message="Enter the 6-digit code from your authenticator app"),
        ],
    )


class RecoveryCodeForm(BaseForm):
    code = StringField(
        "Recovery code",
        widget=GovTextInput(),
        validators=[
            DataRequired("Enter one of your recovery codes"),
            Length(max=60, message="Enter one of your recovery codes"),
        ],
    )


class NewPasswordForm(BaseForm):
    password = PasswordField(
        "New password",
        widget=GovPasswordInput(),
        validators=[InputRequired("Enter a new password")],
    )
    password_again = PasswordField(
        "Confirm new password",
        widget=GovPasswordInput(),
        validators=[InputRequired("Enter the new password again")],
    )

    def __init__(self, *args, context_words: tuple[str, ...] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.context_words = context_words

    def validate_password(self, field):
        try:
            check_password_policy(field.data, self.context_words)
        except PasswordRejected as rejection:
            raise ValidationError(str(rejection)) from rejection

    def validate_password_again(self, field):
        if field.data != self.password.data:
            raise ValidationError("Enter the same password in both boxes")


class ChangePasswordForm(NewPasswordForm):
    current_password = PasswordField(
        "Current password",
        widget=GovPasswordInput(),
        validators=[InputRequired("Enter your current password")],
    )


# Selects offering a "" placeholder need DataRequired: InputRequired lets " " through,
# and stripped it is the placeholder.
def agency_choices(agencies):
    return [SelectChoice("", "Choose an agency")] + [SelectChoice(str(agency.id), agency.name) for agency in agencies]


class UserForm(BaseForm):
    name = StringField(
        "Full name",
        widget=GovTextInput(),
        validators=[
            DataRequired("Enter the person's full name"),
            Length(max=100, message="Enter a name of 100 characters or fewer"),
        ],
    )
    email = EmailField(
        "Email address",
        widget=GovTextInput(),
        validators=[
            DataRequired("Enter the person's work email address"),
            Length(max=254, message="Enter an email address of 254 characters or fewer"),
            Email("Enter an email address in the correct format, like name@example.org", check_deliverability=False),
        ],
    )
    agency_id = SelectField("Agency", widget=GovSelect(), validators=[DataRequired("Choose the person's agency")])
    role = SelectField(
        "Role",
        widget=GovSelect(),
        choices=[SelectChoice("", "Choose a role")] + [SelectChoice(role.value, role.label) for role in Role],
        validators=[DataRequired("Choose the person's role")],
    )
    active = BooleanField("Account is active (can sign in)", widget=GovCheckboxInput(), default=True)

    def __init__(self, *args, agencies=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.agency_id.choices = agency_choices(agencies)


class AgencyForm(BaseForm):
    name = StringField(
        "Agency name",
        widget=GovTextInput(),
        validators=[
            DataRequired("Enter the agency's name"),
            Length(max=120, message="Enter a name of 120 characters or fewer"),
        ],
    )
    kind = SelectField(
        "Kind of agency",
        widget=GovSelect(),
        choices=[SelectChoice("", "Choose the kind of agency")]
        + [SelectChoice(kind.value, kind.label) for kind in AgencyKind],
        validators=[DataRequired("Choose the kind of agency")],
    )


class ApiTokenForm(BaseForm):
    name = StringField(
        "What the token is for",
        widget=GovTextInput(),
        validators=[
            DataRequired("Enter what the token is for, like 'Police case system'"),
            Length(max=100, message="Enter 100 characters or fewer"),
        ],
    )
    agency_id = SelectField(
        "Agency", widget=GovSelect(), validators=[DataRequired("Choose the agency the token belongs to")]
    )

    def __init__(self, *args, agencies=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.agency_id.choices = agency_choices(agencies)
