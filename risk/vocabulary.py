"""The words risk records are kept in, shared by models, forms and services."""

from enum import StrEnum


class AssessmentStatus(StrEnum):
    DRAFT = "draft"
    COMPLETE = "complete"
