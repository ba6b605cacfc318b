from flask_wtf import FlaskForm
from wtforms import PasswordField


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
