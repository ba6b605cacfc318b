"""Answering a subject access request (UK GDPR Art 15, SECURITY D6).

The coordinator records who asked and what to look for; the search lists the people held who match, and
the coordinator says which of them is the requester; everything held about them across every case is
then gathered as items, each with its source and a sealed copy of what it said. Each item is disclosed,
redacted or withheld, with the exemption relied on. When a person causing harm asks, everything about
anyone else (the victim, children, other people, their whereabouts and safe contact, the case's risk
and research content) starts withheld as third-party data, and only a reviewer's explicit, audited
release lets it out. Nothing is disclosed until it is decided. The audit trail holds identifiers only.
"""

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from access import alerts
from access import store as access_store
from access.audit import AuditAction, record_event
from access.models import User
from access.retention_rules import months_after
from cases import store as cases_store
from cases.models import Case, PartyRole, Person
from extensions import utcnow
from meetings import store as meetings_store
from meetings.labels import label, labels
from meetings.schedule import UK_TIME
from reports import store
from reports.models import SubjectAccessItem, SubjectAccessRequest
from reports.quarters import uk_today
from reports.vocabulary import (
    DECISIONS_NEEDING_AN_EXEMPTION,
    THIRD_PARTY,
    ItemDecision,
    ReceivedBy,
    RequesterKind,
    RequestStatus,
    SourceKind,
    answer_clock,
    exemption_named,
    exemptions,
)
from risk import store as risk_store
from risk.instruments import PackError, get_pack
from risk.matching import compact_postcode, date_key, district_key, exact_name_keys, name_tokens

REDACTION_MARK = "[redacted]"
Fields = list[tuple[str, str]]


class SubjectAccessError(ValueError):
    """A step refused; the message says what to fix, and `field` names the form field it is about, if one."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class SearchTerms:
    names: tuple[str, ...]
    dates_of_birth: tuple[date, ...]
    postcodes: tuple[str, ...]

    def __bool__(self) -> bool:
        return bool(self.names or self.dates_of_birth or self.postcodes)


# Recording a request and its clock


def record_request(
    *,
    requester_kind: RequesterKind,
    requester_name: str,
    received_by: ReceivedBy,
    received_on: date,
    terms: SearchTerms,
    user: User,
) -> SubjectAccessRequest:
    if not terms:
        raise SubjectAccessError("Enter at least one name, date of birth or postcode to search for", "names")
    if received_on > uk_today():
        raise SubjectAccessError("The date received must be today or in the past", "received_on")
    request = store.add_subject_access_request(
        requester_kind=requester_kind,
        requester_name=requester_name,
        received_by=received_by,
        received_on=received_on,
        search_names=list(terms.names),
        search_dates_of_birth=[day.isoformat() for day in terms.dates_of_birth],
        search_postcodes=list(terms.postcodes),
        recorded_by_id=user.id,
    )
    record_event(AuditAction.SUBJECT_ACCESS_RECORDED, user=user, object_type="subject-access", object_id=request.id)
    return request


def terms_of(request: SubjectAccessRequest) -> SearchTerms:
    return SearchTerms(
        names=tuple(request.search_names),
        dates_of_birth=tuple(date.fromisoformat(day) for day in request.search_dates_of_birth),
        postcodes=tuple(request.search_postcodes),
    )


def due_on(request: SubjectAccessRequest, *, extended: bool | None = None) -> date:
    """When the answer is due: as things stand, or as they would be if extended."""
    clock = answer_clock()
    extended = request.extended_at is not None if extended is None else extended
    months = clock.answer_within_months + (clock.extension_months if extended else 0)
    return months_after(request.received_on, months)


def clock_words(request: SubjectAccessRequest, today: date) -> str:
    """ "Due on 5 January 2027, 12 days left", "Due today" or "Overdue by 3 days"; a closed request says when."""
    if request.status is RequestStatus.CLOSED:
        return f"Answered on {request.closed_at.astimezone(UK_TIME):%-d %B %Y}"
    due = due_on(request)
    days = (due - today).days
    if days < 0:
        return f"Overdue by {plural(-days, 'day')}"
    if days == 0:
        return f"Due today, {due:%-d %B %Y}"
    return f"Due on {due:%-d %B %Y}, {plural(days, 'day')} left"


def is_overdue(request: SubjectAccessRequest, today: date) -> bool:
    return request.status is RequestStatus.OPEN and due_on(request) < today


def plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def extend(request: SubjectAccessRequest, reason: str, user: User) -> None:
    """Once, with a reason (kept with the request, not in the audit trail, since it may describe the case)."""
    require_open(request)
    if request.extended_at:
        raise SubjectAccessError("The time to answer has already been extended")
    if not reason.strip():
        raise SubjectAccessError("Enter why the request needs more time", "reason")
    request.extended_at, request.extension_reason = utcnow(), reason.strip()
    record_event(AuditAction.SUBJECT_ACCESS_EXTENDED, user=user, object_type="subject-access", object_id=request.id)


def close(request: SubjectAccessRequest, user: User) -> None:
    require_open(request)
    if undecided(request):
        raise SubjectAccessError(f"Decide on every item first: {plural(len(undecided(request)), 'item')} to review")
    request.status, request.closed_at = RequestStatus.CLOSED, utcnow()
    record_event(AuditAction.SUBJECT_ACCESS_CLOSED, user=user, object_type="subject-access", object_id=request.id)


def require_open(request: SubjectAccessRequest) -> None:
    if request.status is not RequestStatus.OPEN:
        raise SubjectAccessError("This request is closed: it was answered, so nothing on it changes")


# Finding the person


@dataclass(frozen=True)
class FoundPerson:
    person: Person
    matched_on: tuple[str, ...]
    """What matched, in words: "name", "other name (alias)", "date of birth", "postcode"."""
    cases: tuple[tuple[Case, str], ...]
    """Each case naming the person, with their part on it in words."""


def find_people(terms: SearchTerms) -> list[FoundPerson]:
    """Everyone held who matches any term, on any case and in any role, with what matched."""
    matching = []
    for person in cases_store.people_sharing_keys(keys_sought(terms)):
        matched_on = what_matches(person, terms)
        if matched_on:
            matching.append((person, matched_on))
    cases_naming = meetings_store.list_cases_naming_each([person.id for person, _ in matching])
    return [
        FoundPerson(
            person,
            matched_on,
            tuple((case, label(role) if role else "Victim") for case, _, role in cases_naming[person.id]),
        )
        for person, matched_on in matching
    ]


def keys_sought(terms: SearchTerms) -> set[str]:
    """The blocking keys anyone what_matches finds must have: her name's (in any order of its words), her
    date of birth's, her postcode district's (of her postcode or address)."""
    keys = {key for name in terms.names for key in exact_name_keys(name)}
    keys |= {date_key(day) for day in terms.dates_of_birth}
    return keys | set(filter(None, map(district_key, terms.postcodes)))


def what_matches(person: Person, terms: SearchTerms) -> tuple[str, ...]:
    """A name matches whatever the order, case, accents or punctuation; a date of birth matches the one
    recorded or any other given for the person; a postcode matches the person's postcode or one in their address."""
    names = {frozenset(name_tokens(name)) for name in terms.names} - {frozenset()}
    days = set(terms.dates_of_birth)
    postcodes = {compact_postcode(code) for code in terms.postcodes} - {""}
    matched = []
    if frozenset(name_tokens(f"{person.given_name} {person.family_name}")) in names:
        matched.append("name")
    if any(frozenset(name_tokens(alias)) in names for alias in person.aliases or []):
        matched.append("other name (alias)")
    if days & dates_of_birth_of(person):
        matched.append("date of birth")
    held = compact_postcode(person.postcode or "")
    if held in postcodes or any(code in compact_postcode(person.address or "") for code in postcodes):
        matched.append("postcode")
    return tuple(matched)


def dates_of_birth_of(person: Person) -> set[date]:
    days = {person.date_of_birth} if person.date_of_birth else set()
    for variant in person.date_of_birth_variants or []:
        try:
            days.add(date.fromisoformat(str(variant)))
        except ValueError:
            continue  # a partial date kept as typed cannot equal a whole one
    return days


def confirm_people(request: SubjectAccessRequest, person_ids: Iterable[str], user: User) -> None:
    """The coordinator says which of the people found are the requester, and everything held about them is
    gathered as items, once. A search only proposes: a stranger who shares a name, a birthday or a postcode
    must not be gathered into someone else's disclosure."""
    require_open(request)
    if request.people_confirmed_at:
        raise SubjectAccessError("The people on this request have already been confirmed")
    found = {found.person.id: found.person for found in find_people(terms_of(request))}
    chosen = [found[person_id] for person_id in person_ids if person_id in found]
    if not chosen:
        raise SubjectAccessError("Choose the person (or people) the request is about", "people")
    store.add_subject_access_items(request, gather_items(request.requester_kind, chosen))
    request.people_confirmed_at = utcnow()
    record_event(
        AuditAction.SUBJECT_ACCESS_PEOPLE_CONFIRMED, user=user, object_type="subject-access", object_id=request.id
    )


# Gathering what is held


@dataclass(frozen=True)
class Found:
    case: Case | None
    kind: SourceKind
    source_id: str
    about_requester: bool
    fields: Fields


def gather_items(requester_kind: RequesterKind, people: list[Person]) -> list[SubjectAccessItem]:
    requester_ids = {person.id for person in people}
    found: dict[tuple[SourceKind, str], Found] = {}
    causes_harm = requester_kind is RequesterKind.PERPETRATOR
    for person in people:
        for case, _, _ in meetings_store.list_cases_naming(person.id):
            causes_harm = causes_harm or named_as_causing_harm(case, requester_ids)
            for item in case_items(case, requester_ids):
                found.setdefault((item.kind, item.source_id), item)
    for person in people:  # one on no case is still held
        for item in person_items(person, None):
            found.setdefault((item.kind, item.source_id), item)
    return [new_item(causes_harm, item) for item in found.values()]


def named_as_causing_harm(case: Case, requester_ids: set[str]) -> bool:
    """Whatever the request was recorded as (through a solicitor, or as a victim in a counter-allegation),
    a requester any case names as causing harm is treated as one."""
    return any(party.person_id in requester_ids and party.role is PartyRole.PERPETRATOR for party in case.parties)


def new_item(causes_harm: bool, found: Found) -> SubjectAccessItem:
    """Third-party data starts withheld when a person causing harm asks; everything else starts to be reviewed."""
    withheld = causes_harm and not found.about_requester
    return SubjectAccessItem(
        case_id=found.case.id if found.case else None,
        case_reference=found.case.reference if found.case else None,
        source_kind=found.kind,
        source_id=found.source_id,
        about_requester=found.about_requester,
        content=json.dumps(found.fields),
        decision=ItemDecision.WITHHELD if withheld else ItemDecision.TO_REVIEW,
        exemption=THIRD_PARTY if withheld else None,
    )


def case_items(case: Case, requester_ids: set[str]) -> list[Found]:
    about_victim = case.victim_id in requester_ids
    items = person_items(case.victim, case, about=case.victim_id in requester_ids)
    for party in case.parties:
        items += person_items(party.person, case, about=party.person_id in requester_ids)
        items.append(
            Found(case, SourceKind.PARTY, str(party.id), party.person_id in requester_ids, party_fields(case, party))
        )
    items += [
        Found(case, SourceKind.ASSESSMENT, assessment.id, about_victim, assessment_fields(assessment))
        for assessment in risk_store.list_assessments(case.id)
    ]
    items += [
        Found(case, SourceKind.REFERRAL, referral.id, about_victim, referral_fields(referral))
        for referral in cases_store.list_referrals(case)
    ]
    items += [
        Found(
            case,
            SourceKind.INCIDENT,
            str(incident.id),
            about_victim or incident.perpetrator_id in requester_ids,
            incident_fields(incident),
        )
        for incident in cases_store.list_incidents(case)
    ]
    items += [
        Found(case, SourceKind.SAFE_CONTACT, str(contact.id), about_victim, safe_contact_fields(contact))
        for contact in cases_store.list_safe_contacts(case)
    ]
    hearings = meetings_store.list_case_hearings(case.id)
    items += hearing_items(case, hearings, about_victim)
    items += [
        Found(case, SourceKind.ACTION, str(action.id), about_victim, action_fields(action))
        for action in meetings_store.list_actions_for_case(case.id)
    ]
    views = access_store.list_case_views(case.id)
    if views:
        items.append(Found(case, SourceKind.CASE_VIEWS, case.id, about_victim, case_view_fields(views)))
    sent = access_store.list_documents_downloaded(document_id_patterns(case, [meeting for _, meeting, _ in hearings]))
    if sent:
        items.append(Found(case, SourceKind.DOCUMENTS_SENT, case.id, about_victim, documents_sent_fields(sent)))
    return items


def document_id_patterns(case: Case, meetings) -> list[str]:
    """The documents that may name the case: every document of a meeting that heard it (its id holds
    "-M<meeting id>-"), and its transfer packs. An agency's action plan is listed even if it held none
    of the case's actions: the reviewer decides."""
    return [f"%-M{meeting.id}-%" for meeting in meetings] + [f"TRANSFER-{case.reference}-%"]


def hearing_items(case: Case, hearings, about_victim: bool) -> list[Found]:
    items = []
    for item, meeting, minutes in hearings:
        day = meeting.starts_at.astimezone(UK_TIME).strftime("%-d %B %Y")
        for research in meetings_store.list_research_returns_for_item(item.id):
            items.append(
                Found(case, SourceKind.RESEARCH_RETURN, str(research.id), about_victim, research_fields(research, day))
            )
        if minutes is not None:
            items.append(
                Found(case, SourceKind.CASE_MINUTES, str(minutes.id), about_victim, minutes_fields(minutes, day))
            )
    return items


def person_items(person: Person, case: Case | None, about: bool = True) -> list[Found]:
    """The person record, and each other name as its own item (so each can be decided on)."""
    items = [Found(case, SourceKind.PERSON, person.id, about, person_fields(person))]
    items += [
        Found(case, SourceKind.ALIAS, f"{person.id}:{number}", about, [("Other name", alias)])
        for number, alias in enumerate(person.aliases or [], start=1)
    ]
    return items


def with_values(fields: Fields) -> Fields:
    return [(name, str(value)) for name, value in fields if value not in (None, "", [], {})]


def yes_no(value: bool | None) -> str | None:
    return None if value is None else ("Yes" if value else "No")


def day_of(value) -> str | None:
    return value.strftime("%-d %B %Y") if value else None


def person_fields(person: Person) -> Fields:
    return with_values(
        [
            ("Name", f"{person.given_name} {person.family_name}"),
            ("Date of birth", day_of(person.date_of_birth)),
            ("Other dates of birth given", ", ".join(person.date_of_birth_variants or [])),
            ("Postcode", person.postcode),
            ("Address", person.address),
            ("Gender", person.gender),
            ("Ethnicity", person.ethnicity),
            ("Disability", person.disability),
            ("Sexuality", person.sexuality),
            ("Language", person.language),
            ("Interpreter needed", yes_no(person.interpreter_needed)),
        ]
    )


def party_fields(case: Case, party) -> Fields:
    return with_values(
        [
            ("Case", case.reference),
            ("Named as", label(party.role)),
            ("Relationship to the victim", party.relationship_to_victim),
        ]
    )


def assessment_fields(assessment) -> Fields:
    fields = [
        ("Tool", label(assessment.tool_id)),
        ("Assessed on", day_of(assessment.assessed_on)),
        ("Agency", assessment.agency.name),
    ]
    try:
        pack = get_pack(assessment.tool_id)
    except PackError:
        pack = None
    for item_id, answer in (assessment.answers or {}).items():
        item = pack.items_by_id().get(item_id) if pack else None
        fields.append((item.numbered_label, item.answer_label(answer)) if item else (item_id, str(answer)))
    fields += [("Comment", str(comment)) for comment in (assessment.comments or {}).values()]
    return with_values(fields)


def referral_fields(referral) -> Fields:
    return with_values(
        [
            ("Received", day_of(referral.received_at.astimezone(UK_TIME))),
            ("Referring agency", referral.agency.name),
            ("Why it was referred", ", ".join(labels(referral.criteria or []))),
            ("Risk summary", referral.risk_summary),
            ("What the victim wants", referral.victim_wants),
            ("Victim informed", yes_no(referral.victim_informed)),
            ("Consent given", yes_no(referral.consent_given)),
            ("Why without consent", referral.no_consent_reason),
            ("Where it stands", label(referral.state)),
        ]
    )


def incident_fields(incident) -> Fields:
    return with_values(
        [
            ("Date", day_of(incident.occurred_on)),
            ("Type", label(incident.type)),
            ("Reported by", incident.reporting_agency.name),
            ("Reference", incident.reference),
        ]
    )


def safe_contact_fields(contact) -> Fields:
    return with_values(
        [
            ("Recorded by", contact.agency.name),
            ("Phone", contact.phone),
            ("Safe to call", yes_no(contact.safe_to_call)),
            ("Safe address", contact.safe_address),
        ]
    )


def research_fields(research, day: str) -> Fields:
    return with_values(
        [
            ("Meeting", day),
            ("Agency", research.agency.name),
            ("Involvement", research.involvement),
            ("Risks", research.risks),
            ("Open cases", research.open_cases),
            ("Proposed actions", research.proposed_actions),
            ("Held back from the meeting", research.not_shareable),
        ]
    )


def minutes_fields(minutes, day: str) -> Fields:
    return with_values(
        [
            ("Meeting", day),
            ("Victim's views", minutes.victim_views),
            ("Information shared", minutes.information_shared),
            ("Risks to the victim", minutes.risks_to_victim),
            ("Risks to children", minutes.risks_to_children),
            ("Risks to others", minutes.risks_to_others),
            ("Risks to professionals", minutes.risks_to_professionals),
            ("Decisions", minutes.decisions),
            ("Outcome", label(minutes.outcome) if minutes.outcome else None),
        ]
    )


def action_fields(action) -> Fields:
    return with_values(
        [
            ("Action", action.description),
            ("Agency", action.owner_agency.name),
            ("Due", day_of(action.due_on)),
            ("Status", label(action.status)),
            ("Completion note", action.completion_note),
        ]
    )


def case_view_fields(views) -> Fields:
    return [
        (occurred_at.astimezone(UK_TIME).strftime("%-d %B %Y %H:%M"), agency or "Unknown agency")
        for occurred_at, agency in views
    ]


DOCUMENT_KINDS = {
    "PACK": "Meeting pack",
    "RESEARCH": "MARAC list and research pack",
    "AGENDA": "Agenda",
    "MINUTES": "Minutes",
    "ACTIONS": "Action plan",
    "TRANSFER": "Transfer pack",
}


def documents_sent_fields(sent) -> Fields:
    return [
        (occurred_at.astimezone(UK_TIME).strftime("%-d %B %Y %H:%M"), document_sent(document_id, agency))
        for occurred_at, document_id, agency in sent
    ]


def document_sent(document_id: str, agency: str | None) -> str:
    """ "Agenda AGENDA-M12-1A2B3C4D, to Riverside Police": the kind in words, the copy's id, who received it."""
    kind = DOCUMENT_KINDS.get(document_id.split("-")[0], "Document")
    return f"{kind} {document_id}, to {agency or 'an unknown agency'}"


# Deciding on each item


def fields_of(item: SubjectAccessItem) -> Fields:
    return [(name, value) for name, value in json.loads(item.content)]


def undecided(request: SubjectAccessRequest) -> list[SubjectAccessItem]:
    return [item for item in request.items if item.decision is ItemDecision.TO_REVIEW]


def decide(
    item: SubjectAccessItem,
    *,
    decision: ItemDecision,
    exemption: str | None,
    redacted_text: str | None,
    release_confirmed: bool,
    user: User,
) -> None:
    """Disclosing anything about someone else is a release: it needs the reviewer to say so, and is audited as one."""
    require_open(item.request)
    problem = decision_problem(item, decision, exemption, redacted_text, release_confirmed)
    if problem:
        raise SubjectAccessError(*problem)
    needs_exemption = decision in DECISIONS_NEEDING_AN_EXEMPTION
    item.decision = decision
    item.exemption = exemption if needs_exemption else None
    item.redacted_text = redacted_text.strip() if decision is ItemDecision.REDACTED else None
    item.decided_by_id, item.decided_at = user.id, utcnow()
    action = AuditAction.SUBJECT_ACCESS_ITEM_RELEASED if is_release(item) else AuditAction.SUBJECT_ACCESS_ITEM_DECIDED
    record_event(action, user=user, object_type="subject-access-item", object_id=item.id)


def is_release(item: SubjectAccessItem) -> bool:
    return not item.about_requester and item.decision in (ItemDecision.DISCLOSED, ItemDecision.REDACTED)


def decision_problem(item, decision, exemption, redacted_text, release_confirmed) -> tuple[str, str] | None:
    """(what to fix, the field it is about), or None."""
    if decision not in (ItemDecision.DISCLOSED, ItemDecision.REDACTED, ItemDecision.WITHHELD):
        return "Choose whether to disclose, redact or withhold the item", "decision"
    if decision in DECISIONS_NEEDING_AN_EXEMPTION and exemption not in exemptions():
        return "Choose the exemption relied on to redact or withhold", "exemption"
    if decision is ItemDecision.REDACTED and not (redacted_text or "").strip():
        return "Enter the text to disclose, with [redacted] where something is taken out", "redacted_text"
    if decision is not ItemDecision.WITHHELD and not item.about_requester and not release_confirmed:
        return (
            "This item is about someone else: confirm you have checked it is safe to release before disclosing it",
            "release_confirmed",
        )
    return None


# What the requester is given


@dataclass(frozen=True)
class Disclosed:
    item: SubjectAccessItem
    fields: Fields
    """What the requester sees: the whole item, or its redacted text with each redaction marked."""


def redaction_shown(item: SubjectAccessItem) -> str:
    """Each [redacted] as "[redacted: <exemption>]"; a redacted text with no mark still says something was taken out."""
    mark = f"[redacted: {exemption_named(item.exemption).label}]"
    text = item.redacted_text or ""
    return text.replace(REDACTION_MARK, mark) if REDACTION_MARK in text else f"{text}\n{mark}"


def disclosed_items(request: SubjectAccessRequest) -> list[Disclosed]:
    shown = []
    for item in request.items:
        if item.decision is ItemDecision.DISCLOSED:
            shown.append(Disclosed(item, fields_of(item)))
        elif item.decision is ItemDecision.REDACTED:
            shown.append(Disclosed(item, [("Disclosed with redactions", redaction_shown(item))]))
    return shown


def withheld_counts(request: SubjectAccessRequest) -> list[tuple[str, str, int]]:
    """(exemption, its legal source, how many items withheld under it): counted, never shown."""
    counts: dict[str, int] = {}
    for item in request.items:
        if item.decision is ItemDecision.WITHHELD:
            counts[item.exemption] = counts.get(item.exemption, 0) + 1
    return [(exemption_named(code).label, exemption_named(code).source, count) for code, count in counts.items()]


def ready_to_disclose(request: SubjectAccessRequest) -> None:
    if not request.people_confirmed_at:
        raise SubjectAccessError("Search for the person and say who they are before making the disclosure")
    if undecided(request):
        raise SubjectAccessError(
            f"Decide on every item before making the disclosure: {plural(len(undecided(request)), 'item')} to review"
        )


def export_json(request: SubjectAccessRequest) -> dict:
    """Every item with its decision and exemption code; the content only of what is disclosed."""
    known = exemptions()
    return {
        "request": {
            "id": request.id,
            "requester": str(request.requester_kind),
            "received_on": request.received_on.isoformat(),
            "due_on": due_on(request).isoformat(),
            "extended": request.extended_at is not None,
            "status": str(request.status),
        },
        "exemptions": {
            code: {"label": exemption.label, "source": exemption.source} for code, exemption in known.items()
        },
        "items": [exported_item(item) for item in request.items],
    }


def exported_item(item: SubjectAccessItem) -> dict:
    exported = {
        "id": item.id,
        "case_reference": item.case_reference,
        "source": str(item.source_kind),
        "source_id": item.source_id,
        "about_requester": item.about_requester,
        "decision": str(item.decision),
        "exemption": item.exemption,
    }
    if item.decision is ItemDecision.DISCLOSED:
        exported["content"] = [{"label": name, "value": value} for name, value in fields_of(item)]
    elif item.decision is ItemDecision.REDACTED:
        exported["redacted_text"] = redaction_shown(item)
    return exported


def record_disclosure(request: SubjectAccessRequest, user: User) -> None:
    """Each export is a disclosure: recorded under the request (the cases it shows are recorded by the caller)."""
    record_event(AuditAction.SUBJECT_ACCESS_DISCLOSED, user=user, object_type="subject-access", object_id=request.id)


def case_ids_of(items: Iterable[SubjectAccessItem]) -> list[str]:
    return sorted({item.case_id for item in items if item.case_id})


def record_item_shown(item: SubjectAccessItem, user: User) -> None:
    """Showing an item's content is a look at its case, whether shown first or again with a mistake to fix;
    a safe-contact item is a look at her safe contact too, recorded as on the case's own page."""
    if item.case_id is None:
        return
    record_event(AuditAction.CASE_VIEWED, user=user, object_type="case", object_id=item.case_id)
    if item.source_kind is SourceKind.SAFE_CONTACT:
        record_event(AuditAction.SAFE_CONTACT_VIEWED, user=user, object_type="case", object_id=item.case_id)
    alerts.check_cases_viewed(user)  # counts towards the unusual-viewing alert, as every case look does
