"""The header's navigation is made once per process for each role and page (issue 20: cheaper pages): it is the
GOV.UK macro's own HTML for that role's links with the current page marked, and one role's never shows to another."""

import re

from flask_login import login_user

from access.models import Role, User
from access.navigation import SERVICE_NAVIGATION_MACRO, navigation_items, service_navigation
from extensions import db
from tests.conftest import give_session


def header_of(page: str) -> str:
    return page[page.index('<header class="govuk-template__header') : page.index("</header>")]


def test_the_navigation_is_the_macros_html_for_the_role_with_the_page_marked(app, make_user):
    user_id, _ = make_user(role=Role.COORDINATOR)
    with app.test_request_context("/referrals"):
        login_user(db.session.get(User, user_id))
        macro = app.jinja_env.get_template(SERVICE_NAVIGATION_MACRO).module.govukServiceNavigation
        expected = macro(
            {"serviceName": "MARAC", "serviceUrl": "/", "navigation": navigation_items(), "slots": {"end": ""}}
        )

        assert service_navigation("MARAC", "/") == expected
        assert service_navigation("MARAC", "/") == expected  # and again, from the process's copy
        assert '<strong class="govuk-service-navigation__active-fallback">Referrals</strong>' in expected


def test_each_role_sees_only_its_own_links_in_the_header(app, make_user):
    headers = {}
    for number, role in enumerate((Role.COORDINATOR, Role.PRACTITIONER, Role.COORDINATOR)):
        user_id, _ = make_user(email=f"{role.value}-{number}@example.org", role=role)
        client = app.test_client()
        give_session(app, client, user_id)
        headers.setdefault(role, []).append(header_of(client.get("/").get_data(as_text=True)))

    assert headers[Role.COORDINATOR][0] == headers[Role.COORDINATOR][1]
    assert link("Referrals", headers[Role.COORDINATOR][0])
    assert not link("Referrals", headers[Role.PRACTITIONER][0])
    assert link("Start a case", headers[Role.PRACTITIONER][0])


def link(text: str, header: str) -> bool:
    return re.search(rf">\s*{text}\s*<", header) is not None
