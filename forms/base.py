from flask_wtf import FlaskForm
from wtforms import DateField, PasswordField

from forms.widgets import GovDateInput


def strip_whitespace(value):
    return value.strip() if isinstance(value, str) else value


class BaseForm(FlaskForm):
    """Strips surrounding whitespace from every field except passwords, which are kept as typed."""

    class Meta:
        def bind_field(self, form, unbound_field, options):
            if not issubclass(unbound_field.field_class, PasswordField):
                filters = (strip_whitespace, *unbound_field.kwargs.get("filters", ()))
                options = options | {"filters": filters}
            return unbound_field.bind(form=form, **options)


class DayMonthYearField(DateField):
    """A date typed as day, month and year boxes. A missing date is blank; any other shape of
    input gets a message rather than an error page."""

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, format="%d %m %Y", widget=GovDateInput(), **kwargs)

    def process_formdata(self, valuelist):
        if not valuelist:
            self.raw_data = valuelist = ["", "", ""]
        if len(valuelist) != 3:
            self.raw_data, self.data = ["?", "", ""], None
            raise ValueError("Enter the date as a day, month and year")
        super().process_formdata(valuelist)


def optional_id(value):
    """An id from a select whose first choice is blank ("Choose an agency"), so no agency is chosen for anyone."""
    return int(value) if str(value or "").isdigit() else None
