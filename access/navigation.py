from dataclasses import dataclass

from flask import request, url_for
from flask_login import current_user

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


def may_use(endpoint: str) -> bool:
    """For templates: offer a link or button only to people whose role may use it."""
    return current_user.is_authenticated and can(current_user.role, endpoint)


def navigation_context() -> dict:
    return {
        "navigation_items": navigation_items,
        "may_use": may_use,
        "return_path": return_path,
    }
