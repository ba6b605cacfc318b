"""The fields of a page's forms, as a browser would send them: for the locust users and bench/two_servers.py."""

from html.parser import HTMLParser


class FormFields(HTMLParser):
    """The named fields of each form on a page, with the values a browser would send untouched."""

    def __init__(self):
        super().__init__()
        self.forms, self.textarea = [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append({"action": attrs.get("action"), "fields": {}})
        elif self.forms and tag == "input" and attrs.get("name"):
            if attrs.get("type") not in ("radio", "checkbox") or "checked" in attrs:
                self.forms[-1]["fields"][attrs["name"]] = attrs.get("value") or ""
        elif self.forms and tag == "textarea":
            self.textarea = attrs.get("name")
            self.forms[-1]["fields"][self.textarea] = ""

    def handle_data(self, data):
        if self.textarea:
            self.forms[-1]["fields"][self.textarea] += data

    def handle_endtag(self, tag):
        if tag == "textarea":
            self.textarea = None


def own_form(html: str) -> dict:
    """The page's form that posts back to the page itself (action absent), not the sign-out or action forms."""
    parser = FormFields()
    parser.feed(html)
    return next(form["fields"] for form in parser.forms if not form["action"])


def csrf_token(html: str) -> str:
    parser = FormFields()
    parser.feed(html)
    return next(form["fields"]["csrf_token"] for form in parser.forms if "csrf_token" in form["fields"])
