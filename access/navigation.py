from dataclasses import dataclass
from functools import lru_cache

from flask import current_app, request, url_for
from flask_login import current_user
from jinja2 import Environment

from access.permissions import can, return_path


@dataclass(frozen=True)
class NavigationItem:
    text: str
    endpoint: str


NAVIGATION = (
    NavigationItem("Home", "meetings.home"),
    NavigationItem("Find a case", "meetings.find_cases"),
    NavigationItem("Start a case", "cases.find_victim"),
    NavigationItem("Import", "cases.upload_import"),
    NavigationItem("Referrals", "meetings.list_referrals"),
    NavigationItem("Meetings", "meetings.list_meetings"),
    NavigationItem("Research", "meetings.list_research_requests"),
    NavigationItem("Actions", "meetings.list_actions"),
    NavigationItem("Repeat watch", "meetings.list_repeat_watch"),
    NavigationItem("Documents", "reports.list_documents"),
    NavigationItem("Reports", "reports.view_dashboard"),
    NavigationItem("Data inventory", "reports.view_data_inventory"),
    NavigationItem("Retention", "reports.review_retention"),
    NavigationItem("Subject access", "reports.list_subject_access_requests"),
    NavigationItem("Rules", "risk.view_rules"),
    NavigationItem("Alerts", "access.list_alerts"),
    NavigationItem("Who saw what", "reports.audit_reports"),
    NavigationItem("Users", "access.list_users"),
    NavigationItem("Agencies", "access.list_agencies"),
    NavigationItem("API tokens", "access.list_api_tokens"),
)


def navigation_items() -> list[dict]:
    if not current_user.is_authenticated:
        return []
    return [
        {"text": item.text, "href": url_for(item.endpoint), "active": request.endpoint == item.endpoint}
        for item in NAVIGATION
        if can(current_user.role, item.endpoint)
    ]


SERVICE_NAVIGATION_MACRO = "govuk_frontend_jinja/components/service-navigation/macro.html"


def service_navigation(service_name: str, service_url: str) -> str:
    """The header's navigation, as safe HTML: the same for everyone of a role on a page, so each one is made
    once per process (it holds no one's data) rather than through the GOV.UK macro on every page."""
    items = tuple((item["text"], item["href"], item["active"]) for item in navigation_items())
    return rendered_navigation(current_app.jinja_env, service_name, service_url, items)


@lru_cache(maxsize=512)
def rendered_navigation(jinja_env: Environment, service_name: str, service_url: str, items: tuple) -> str:
    macro = jinja_env.get_template(SERVICE_NAVIGATION_MACRO).module.govukServiceNavigation
    navigation = [{"text": text, "href": href, "active": active} for text, href, active in items]
    return macro(
        {"serviceName": service_name, "serviceUrl": service_url, "navigation": navigation, "slots": {"end": ""}}
    )


def may_use(endpoint: str) -> bool:
    """For templates: offer a link or button only to people whose role may use it."""
    return current_user.is_authenticated and can(current_user.role, endpoint)


def navigation_context() -> dict:
    return {
        "navigation_items": navigation_items,
        "service_navigation": service_navigation,
        "may_use": may_use,
        "return_path": return_path,
    }
