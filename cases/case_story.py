"""The cases package's part of a case's history and of where it stands: assessments, professional
judgements, incidents, referrals and the repeat watch. Registered when the app starts (app.py)."""

from datetime import date

from access import policy
from access.models import User
from access.policy import CaseScope
from cases import chronology, journey, standing
from cases.chronology import AnswerGiven, Entry, link_to, start_of_day, uk_day
from cases.models import Case, Incident, Referral, ReferralState
from cases.store import CaseRecords
from cases.vocabulary import INCIDENT_TYPE_LABELS, EntryKind
from risk.criteria import CRITERION_LABELS
from risk.instruments import Pack, get_pack
from risk.models import Assessment, ProfessionalJudgement
from risk.schema import FACTORS_BY_ID, RiskResult, Tier

NOT_YET_TRIAGED = (ReferralState.RECEIVED, ReferralState.DECLINED, ReferralState.WITHDRAWN)


# Assessments


@chronology.register
def assessment_entries(user: User, case: Case, scope: CaseScope, records: CaseRecords) -> list[Entry]:
    if not policy.may_view_assessment(user, scope):
        return []
    assessments = records.completed_assessments
    replaced = set(journey.later_versions(assessments))
    return [
        assessment_entry(user, case, assessment, records.result_of(assessment), assessment.id in replaced)
        for assessment in assessments
    ]


def assessment_entry(user: User, case: Case, assessment: Assessment, result: RiskResult, replaced: bool) -> Entry:
    """A changed version is dated when its answers were changed, and says by whom and why; the version it
    replaced keeps its own date and says it was replaced, so both stay in the story."""
    pack = get_pack(assessment.tool_id)
    detail = (result_in_words(result), factors_in_words(result))
    if replaced:
        detail += ("Its answers were later changed: see the later version.",)
    if assessment.supersedes_id:
        detail += (f"Why the answers were changed: {assessment.change_reason}",)
    return Entry(
        when=assessment.created_at if assessment.supersedes_id else start_of_day(assessment.assessed_on),
        day_only=not assessment.supersedes_id,
        kind=EntryKind.ASSESSMENT,
        title=f"Risk assessment: {pack.name}" + (", answers changed" if assessment.supersedes_id else ""),
        detail=detail,
        by=f"By {(assessment.changed_by or assessment.assessor).name}"
        + ("" if assessment.supersedes_id else f", {assessment.agency.name}"),
        link=link_to(user, "cases.view_assessment_result", case_id=case.id, assessment_id=assessment.id),
        answers=answers_given(pack, assessment),
    )


def result_in_words(result: RiskResult) -> str:
    words = [f"Score {result.score:g} of {result.max_score:g}"]
    if result.band:
        words.append(f"band: {result.band}")
    words.append(f"risk tier: {result.tier.label}" if result.tier else "no risk tier from this tool")
    return "; ".join(words)


def factors_in_words(result: RiskResult) -> str:
    if not result.factors:
        return "No common risk factors from the answers given."
    return "Risk factors: " + ", ".join(FACTORS_BY_ID[factor_id].name for factor_id in sorted(result.factors))


def answers_given(pack: Pack, assessment: Assessment) -> tuple[AnswerGiven, ...]:
    return tuple(
        AnswerGiven(
            item.numbered_label, item.answer_label(assessment.answers[item.id]), assessment.comments.get(item.id)
        )
        for item in pack.items
        if assessment.answers.get(item.id)
    )


# Professional judgements and incidents


@chronology.register
def judgement_entries(user: User, case: Case, scope: CaseScope, records: CaseRecords) -> list[Entry]:
    link = link_to(user, "cases.view_case", case_id=case.id, _anchor="professional-judgement")
    return [judgement_entry(judgement, link) for judgement in records.judgements]


def judgement_entry(judgement: ProfessionalJudgement, link: str | None) -> Entry:
    return Entry(
        when=judgement.recorded_at,
        kind=EntryKind.JUDGEMENT,
        title=f"Professional judgement: {Tier(judgement.tier).label.lower()} risk",
        detail=(judgement.rationale,),
        by=f"By {judgement.author.name}, {judgement.author.agency.name}",
        link=link,
    )


@chronology.register
def incident_entries(user: User, case: Case, scope: CaseScope, records: CaseRecords) -> list[Entry]:
    link = link_to(user, "cases.view_case", case_id=case.id, _anchor="incidents")
    return [incident_entry(incident, link) for incident in records.incidents]


def incident_entry(incident: Incident, link: str | None) -> Entry:
    perpetrator = incident.perpetrator
    caused_by = f"{perpetrator.given_name} {perpetrator.family_name}" if perpetrator else "someone not recorded"
    detail = [f"Caused by {caused_by}."]
    if incident.reference:
        detail.append(f"Reference: {incident.reference}")
    return Entry(
        when=start_of_day(incident.occurred_on),
        day_only=True,
        kind=EntryKind.INCIDENT,
        title=f"Incident: {INCIDENT_TYPE_LABELS.get(incident.type, 'Other abuse').lower()}",
        detail=tuple(detail),
        by=f"Reported to {incident.reporting_agency.name}",
        link=link,
    )


# Referrals: made, then accepted, declined or withdrawn


@chronology.register
def referral_entries(user: User, case: Case, scope: CaseScope, records: CaseRecords) -> list[Entry]:
    if not policy.may_view_referral(user, scope):
        return []
    may_see_why = policy.may_see_why_a_referral_ended(user, scope)
    entries = []
    for referral in records.referrals:
        link = link_to(user, "cases.view_referral_made", case_id=case.id, referral_id=referral.id)
        entries.append(referral_made(referral, link))
        if referral.corrected_at:
            entries.append(
                Entry(
                    when=referral.corrected_at,
                    kind=EntryKind.REFERRAL,
                    title="Referral corrected by the referrer",
                    link=link,
                )
            )
        entries += what_became_of(referral, link, may_see_why)
    return entries


def referral_made(referral: Referral, link: str | None) -> Entry:
    criteria = ", ".join(CRITERION_LABELS.get(code, "Another criterion") for code in referral.criteria)
    return Entry(
        when=referral.received_at,
        kind=EntryKind.REFERRAL,
        title="Referred to the MARAC",
        detail=(f"Criteria met: {criteria or 'none recorded'}.",),
        by=f"By {referral.referrer.name}, {referral.agency.name}",
        link=link,
    )


def what_became_of(referral: Referral, link: str | None, may_see_why: bool) -> list[Entry]:
    """The coordinator's triage and the referrer's withdrawal. A decline or withdrawal says why only to
    those the policy lets see it. A time never recorded (before it was kept) leaves the entry out."""
    reason = (f"Reason: {referral.state_reason}",) if may_see_why and referral.state_reason else ()
    if referral.state is ReferralState.DECLINED:
        title, when, detail = (
            "Referral declined by the MARAC coordinator",
            referral.triaged_at or referral.state_changed_at,
            reason,
        )
    elif referral.state is ReferralState.WITHDRAWN:
        title, when, detail = "Referral withdrawn", referral.state_changed_at, reason
    elif referral.state not in NOT_YET_TRIAGED and referral.triaged_at:
        title, when, detail = "Referral accepted by the MARAC coordinator", referral.triaged_at, ()
    else:
        return []
    return [Entry(when=when, kind=EntryKind.REFERRAL, title=title, detail=detail, link=link)]


# Where the case stands


@standing.register
def repeat_watch(user: User, case: Case, scope: CaseScope, records: CaseRecords) -> list[standing.Fact]:
    if case.repeat_watch_ends is None:
        return []
    if case.repeat_watch_ends < date.today():
        return [standing.Fact("Repeat watch", f"Ended on {uk_day(case.repeat_watch_ends)}")]
    return [standing.Fact("Repeat watch", f"Until {uk_day(case.repeat_watch_ends)}")]
