"""The words access records are kept in: kinds of agency, roles, sign-in stages and security alerts,
with the labels pages show. Plain enums and tables, so that models, forms and services share them."""

from enum import StrEnum


class AgencyKind(StrEnum):
    POLICE = "police"
    IDVA = "idva"
    CHILDRENS_SOCIAL_CARE = "childrens-social-care"
    HEALTH = "health"
    HOUSING = "housing"
    PROBATION = "probation"
    MENTAL_HEALTH = "mental-health"
    SUBSTANCE_MISUSE = "substance-misuse"
    EDUCATION = "education"
    OTHER = "other"

    @property
    def label(self) -> str:
        return AGENCY_KIND_LABELS[self]


AGENCY_KIND_LABELS = {
    AgencyKind.POLICE: "Police",
    AgencyKind.IDVA: "IDVA service",
    AgencyKind.CHILDRENS_SOCIAL_CARE: "Children's social care",
    AgencyKind.HEALTH: "Health",
    AgencyKind.HOUSING: "Housing",
    AgencyKind.PROBATION: "Probation",
    AgencyKind.MENTAL_HEALTH: "Mental health",
    AgencyKind.SUBSTANCE_MISUSE: "Substance misuse",
    AgencyKind.EDUCATION: "Education",
    AgencyKind.OTHER: "Other",
}


class Role(StrEnum):
    PRACTITIONER = "practitioner"
    AGENCY_REP = "agency_rep"
    CHAIR = "chair"
    COORDINATOR = "coordinator"
    ADMIN = "admin"
    AUDITOR = "auditor"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.PRACTITIONER: "Practitioner",
    Role.AGENCY_REP: "Agency representative",
    Role.CHAIR: "Chair",
    Role.COORDINATOR: "MARAC coordinator",
    Role.ADMIN: "Administrator",
    Role.AUDITOR: "Auditor",
}


class SessionStage(StrEnum):
    PASSWORD = "password"
    COMPLETE = "complete"


class AlertKind(StrEnum):
    BREAK_GLASS = "break-glass"
    MANY_CASES_VIEWED = "many-cases-viewed"
    MANY_BREAK_GLASS = "many-break-glass"

    @property
    def label(self) -> str:
        return ALERT_LABELS[self]


ALERT_LABELS = {
    AlertKind.BREAK_GLASS: "Opened a case outside their work, giving a reason (break-glass)",
    AlertKind.MANY_CASES_VIEWED: "Opened more cases in an hour than the limit",
    AlertKind.MANY_BREAK_GLASS: "Used break-glass more times in a day than the limit",
}
