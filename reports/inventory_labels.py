"""The data inventory's words: for each table, what a data protection officer reads about it. Everything else in
the inventory (columns, classes, retention) is read from the models and the retention rules when it is asked for;
tests/reports/test_data_inventory.py fails when a table has no entry here."""

from dataclasses import dataclass

CASE_READERS = (
    "The coordinator and chairs; staff of the agencies involved in the case; never anyone its exclusion list "
    "names (the coordinator decides near matches); administrators see no case."
)


@dataclass(frozen=True)
class TableWords:
    label: str
    purpose: str
    who_may_see: str
    rule: str | None = None
    """The policy rule (access/policy.py) that decides, for one record, who sees it; None where only the page's
    list of roles does."""


TABLE_WORDS = {
    # People who use the service, and how they sign in
    "agency": TableWords(
        "Agencies",
        "The organisations taking part in the MARAC: police, IDVA services, health, children's services and others.",
        "Everyone signed in sees agency names; the administrator adds them.",
    ),
    "user_account": TableWords(
        "User accounts",
        "Each person who uses the service: name, work e-mail, agency, role and how they sign in.",
        "The administrator, who manages accounts. Passwords and second-factor secrets are never shown to anyone.",
    ),
    "recovery_code": TableWords(
        "Recovery codes",
        "One-time codes a person signs in with when their second factor is lost. Only a hash of each is kept.",
        "No one: only a hash is stored.",
    ),
    "user_session": TableWords(
        "Sign-in sessions",
        "Each browser signed in: when, from which IP address and with which browser.",
        "Not shown to other users: the service reads it to keep each person signed in and to sign them out.",
    ),
    "api_token": TableWords(
        "API tokens",
        "Tokens an agency's own systems use to call the service. Only a hash of each is kept.",
        "The administrator.",
    ),
    "notification": TableWords(
        "Notifications",
        "Short in-app messages, each naming a case by its reference only.",
        "Only the person each is for, and only while they may still be told about the case.",
        "may_be_told_about_case",
    ),
    # The record of who did what
    "audit_event": TableWords(
        "The audit trail",
        "Who did what, to which record, when and from where: identifiers only, never names, answers or notes.",
        "Read through the audit reports; no one can change or delete it.",
    ),
    "security_alert": TableWords(
        "Security alerts",
        "What the coordinator must look at, such as a break-glass look at a case.",
        "The coordinator.",
    ),
    "break_glass_grant": TableWords(
        "Break-glass looks",
        "A look at a case outside a person's own work, with the reason they gave, for a short time.",
        "The coordinator, through security alerts. It may be given only to staff no exclusion list names.",
        "may_break_glass",
    ),
    "legal_hold": TableWords(
        "Legal holds",
        "The coordinator's instruction, with a reason, not to anonymise a case when its retention period ends, "
        "and when and why it was lifted.",
        "The coordinator, on a case they may see.",
        "may_hold_case",
    ),
    "subject_access_request": TableWords(
        "Subject access requests",
        "Who asked for their data, when, what they gave to search by, the time limit and whether it was answered.",
        "The coordinator only.",
        "may_handle_subject_access",
    ),
    "subject_access_item": TableWords(
        "Items found for a subject access request",
        "A sealed copy of each record found about the requester, with the decision on it (disclosed, redacted "
        "or withheld) and the exemption relied on.",
        "The coordinator only.",
        "may_handle_subject_access",
    ),
    # People and cases
    "person": TableWords(
        "People",
        "Victims, people causing harm, children and others named on cases: names, aliases, dates of birth, "
        "address and diversity details.",
        "Whoever may see one of the cases naming the person. Her address is shown only to those who may change "
        "her record.",
        "may_view_person",
    ),
    "person_match_key": TableWords(
        "Person look-up keys",
        "Short keys made from each person's record (the sound of her names, her date of birth, the area of her "
        "postcode) so that someone referred again is found quickly among many people. They go when she is "
        "anonymised.",
        "No one: the service only looks people up by them.",
    ),
    "marac_case": TableWords(
        "Cases",
        "One victim with the same person or people causing harm: reference, area and where it stands.",
        CASE_READERS,
        "may_view_case",
    ),
    "case_reference_counter": TableWords(
        "Case numbers",
        "The last case number used each year, so that no reference is given twice.",
        "No one: the service reads it to number new cases.",
    ),
    "case_party": TableWords(
        "People on a case",
        "Who is named on each case, as victim, person causing harm, child or other, and how they are related to "
        "the victim.",
        CASE_READERS,
        "may_view_case",
    ),
    "case_safe_contact": TableWords(
        "Safe-contact details",
        "How to reach the victim safely, as one agency recorded it: a phone number, whether it is safe to call, "
        "a safe address. Encrypted in the database and never printed.",
        "The recording agency's practitioners, the IDVA service on the case and the coordinator; no one else.",
        "may_view_safe_contact",
    ),
    "victim_link_proposal": TableWords(
        "Proposed links to a known person",
        "A known person the practitioner who opened a case thinks its victim is, until the coordinator decides.",
        "The coordinator, who confirms the link or not.",
        "may_confirm_person_link",
    ),
    "incident": TableWords(
        "Incidents",
        "Incidents of abuse reported by agencies: date, type, crime reference and the person causing harm.",
        CASE_READERS,
        "may_view_case",
    ),
    "referral": TableWords(
        "Referrals",
        "Each referral to the MARAC: the criteria met, consent, the risk summary, what the victim wants and the "
        "referrer's work contact details.",
        CASE_READERS + " Why a referral was declined or withdrawn: the referrer, the coordinator and chairs.",
        "may_view_referral",
    ),
    "referral_draft": TableWords(
        "Referral drafts",
        "A referral form as far as one person has typed it, so that nothing is lost. Removed when it is sent.",
        "Only the person typing it, on a case they may change.",
        "may_change_case",
    ),
    "excluded_person": TableWords(
        "Exclusion lists",
        "People who must not receive information about a case, named at referral.",
        "The coordinator and whoever referred the case.",
        "may_view_exclusion_list",
    ),
    "distribution_clearance": TableWords(
        "Distribution checks",
        "The coordinator's decision when someone receiving a meeting's documents is like a name on an exclusion "
        "list: a different person, or withhold the case from them.",
        "The coordinator. Until released, the person receives nothing of that case.",
        "may_receive_case_in_documents",
    ),
    "clearance_review": TableWords(
        "Changes to distribution checks",
        "A later change to a distribution check, with the coordinator's reason and the decision it replaced.",
        "The coordinator.",
    ),
    "transfer": TableWords(
        "Transfers",
        "A case moved in from, or out to, another MARAC area, and what was sent.",
        CASE_READERS,
        "may_view_case",
    ),
    "import_batch": TableWords(
        "Imported files",
        "A file of risk assessments uploaded for bulk import, on its way in: the name it was uploaded under, its "
        "column mapping and where it stands. The file itself waits in a private folder until imported or discarded.",
        "The person who uploaded it and the coordinator.",
        "may_view_import_batch",
    ),
    # Risk
    "saved_import_mapping": TableWords(
        "Saved import mappings",
        "An agency's usual match of a file's columns to the questions of a risk checklist, offered on its next upload.",
        "Staff of that agency who import files.",
    ),
    "assessment": TableWords(
        "Risk assessments",
        "Risk checklist answers as entered, comments on them, and the score they gave; every earlier version kept.",
        CASE_READERS,
        "may_view_assessment",
    ),
    "professional_judgement": TableWords(
        "Professional judgements",
        "A practitioner's judgement of the level of risk, and why.",
        CASE_READERS,
        "may_view_case",
    ),
    "eligibility_decision": TableWords(
        "Eligibility decisions",
        "Each check of whether a case meets the MARAC's criteria and what met them, kept as it was made.",
        CASE_READERS,
        "may_view_case",
    ),
    # Meetings
    "meeting": TableWords(
        "Meetings",
        "MARAC meetings: when and where, the chair, and where each stands.",
        "The coordinator and chairs; representatives of the agencies invited to it.",
        "may_view_meeting",
    ),
    "meeting_figures": TableWords(
        "Meeting figures",
        "Each meeting's counts for the quarterly data return (cases discussed, repeats, children, referrals by "
        "agency, victims' diversity and ages), kept when its minutes are approved. Counts only: no one is named.",
        "The coordinator and chairs, in the data return.",
    ),
    "invitation": TableWords(
        "Invitations",
        "The agencies invited to each meeting.",
        "The coordinator and chairs; representatives of the agencies invited.",
        "may_view_meeting",
    ),
    "agenda_item": TableWords(
        "Agenda entries",
        "A case on a meeting's agenda: its time and what to note about it, such as children in the household.",
        "The coordinator and chairs; invited agencies receive the MARAC list, leaving out any case whose "
        "exclusion list names them.",
        "may_view_agenda",
    ),
    "research_return": TableWords(
        "Research returns",
        "Each agency's research on a case before the meeting: what it knows, risks, open cases, proposed actions "
        "and what it cannot share.",
        "The agency's own representatives once the list is issued, unless an exclusion list names them; the "
        "coordinator and chairs in the meeting pack.",
        "may_view_research_return",
    ),
    "research_chase": TableWords(
        "Research reminders",
        "Reminders the coordinator sent an agency about its outstanding research.",
        "The coordinator.",
    ),
    "attendance": TableWords(
        "Attendance",
        "Who attended each meeting for each agency, and whether they confirmed confidentiality.",
        "The coordinator and chairs; it is part of the minutes.",
        "may_read_minutes",
    ),
    "case_minutes": TableWords(
        "Case minutes",
        "What the meeting recorded for each case: the victim's views, information shared, risks and decisions.",
        "Chairs and the coordinator once approved; representatives of invited agencies once distributed; never "
        "anyone an exclusion list names.",
        "may_read_minutes",
    ),
    "marac_action": TableWords(
        "Actions",
        "Actions agreed at a meeting: what, by which agency and person, and by when.",
        "The coordinator and chairs; the staff of the agency that owns the action; never anyone the case's "
        "exclusion list names.",
        "may_view_action",
    ),
    "action_update": TableWords(
        "Action updates",
        "Each change to an action as it was made, with its note or reason.",
        "As for the action.",
        "may_view_action",
    ),
    "action_escalation": TableWords(
        "Overdue action escalations",
        "An overdue action raised with the coordinators or the meeting's chair.",
        "As for the action.",
        "may_view_action",
    ),
}
