"""A subject access request in progress (SECURITY D6): a person causing harm asked twelve days ago for
what the MARAC holds about him. His person record is decided and his part on the case is still to
review; what is about the victim and her children is withheld as information about someone else
until a reviewer decides otherwise."""

from datetime import date, timedelta

from access.models import Role
from reports import subject_access
from reports.vocabulary import ItemDecision, ReceivedBy, RequesterKind, SourceKind

REQUESTER = "Imran Rahman"
RECEIVED_DAYS_AGO = 12


def seed_demo_subject_access(users: dict, today: date) -> None:
    coordinator = users[Role.COORDINATOR]
    terms = subject_access.SearchTerms(names=(REQUESTER,), dates_of_birth=(date(1987, 2, 3),), postcodes=())
    request = subject_access.record_request(
        requester_kind=RequesterKind.PERPETRATOR,
        requester_name=REQUESTER,
        received_by=ReceivedBy.LETTER,
        received_on=today - timedelta(days=RECEIVED_DAYS_AGO),
        terms=terms,
        user=coordinator,
    )
    people = [found.person.id for found in subject_access.find_people(terms) if "name" in found.matched_on]
    subject_access.confirm_people(request, people, coordinator)
    for item in request.items:
        if item.about_requester and item.source_kind is SourceKind.PERSON:
            subject_access.decide(
                item,
                decision=ItemDecision.DISCLOSED,
                exemption=None,
                redacted_text=None,
                release_confirmed=False,
                user=coordinator,
            )
