"""MARAC eligibility: versioned rule sets (SafeLives' four criteria and the routes around them)
applied to plain facts about one victim and the same perpetrator(s).

The engine only decides and explains; it never refers a case by itself. Prompts ask a person to
consider something; criteria are what make a case eligible.
"""

from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from risk.schema import FACTORS_BY_ID, SERIOUS_FACTOR_IDS, Prompt, RiskResult, Tier

VISIBLE_HIGH_RISK = "visible-high-risk"
VISIBLE_HIGH_RISK_OTHER_TOOL = "visible-high-risk-other-tool"
PROFESSIONAL_JUDGEMENT = "professional-judgement"
POTENTIAL_ESCALATION = "potential-escalation"
REPEAT = "repeat"
LEGACY_REPEAT_INCIDENT_TYPES = frozenset({"violence", "threats", "stalking-harassment", "sexual-abuse", "property-damage"})


@dataclass(frozen=True)
class RuleSet:
    version: str
    vhr_tools: tuple[str, ...] = ("dash-ric", "police-dash")
    vhr_threshold: int = 14
    accept_other_tool_high_as_vhr: bool = True
    other_tool_min_tier: int = 3
    escalation_min_incidents: int = 3
    escalation_window_days: int = 365
    repeat_window_days: int = 365
    repeat_definition: str = "any-abuse"
    min_victim_age: int = 16
    adult_age: int = 18
    pj_requires_rationale: bool = True
    assessment_max_age_days: int = 28
    recidivism_tools: tuple[str, ...] = ("odara",)
    marac_area: str | None = None


DEFAULT_RULESET = RuleSet(version="safelives-2026.1")


@dataclass(frozen=True)
class Victim:
    date_of_birth: date
    area: str | None = None


@dataclass(frozen=True)
class AssessmentFacts:
    tool: str
    date: date
    result: RiskResult


@dataclass(frozen=True)
class IncidentFacts:
    date: date
    agency: str
    type: str | None = None


@dataclass(frozen=True)
class JudgementFacts:
    tier: Tier
    rationale: str = ""


@dataclass(frozen=True)
class CaseFacts:
    today: date
    victim: Victim
    assessments: tuple[AssessmentFacts, ...] = ()
    professional_judgement: JudgementFacts | None = None
    incidents: tuple[IncidentFacts, ...] = ()
    previous_referral_dates: tuple[date, ...] = ()


@dataclass(frozen=True)
class Criterion:
    code: str
    evidence: str
    needs_confirmation: bool = False


@dataclass(frozen=True)
class Decision:
    eligible: bool
    criteria: tuple[Criterion, ...]
    tier: Tier
    tier_source: str
    prompts: tuple[Prompt, ...]
    routes: tuple[str, ...]
    ruleset: str
    repeat_watch_ends: date | None = None

    def to_dict(self) -> dict:
        return {
            "eligible": self.eligible,
            "criteria": [criterion.code for criterion in self.criteria],
            "tier": int(self.tier),
            "prompts": [prompt.to_dict() for prompt in self.prompts],
            "routes": list(self.routes),
            "ruleset": self.ruleset,
        }


@dataclass
class Evaluation:
    """The decision being built up, rule by rule."""

    criteria: list[Criterion] = field(default_factory=list)
    prompts: list[Prompt] = field(default_factory=list)
    routes: list[str] = field(default_factory=list)
    tier_inputs: list[tuple[int, str]] = field(default_factory=list)

    def prompt(self, code: str, message: str, items: tuple[str, ...] = ()) -> None:
        self.prompts.append(Prompt(code, message, items))


def age_on(day: date, date_of_birth: date) -> int:
    return day.year - date_of_birth.year - ((day.month, day.day) < (date_of_birth.month, date_of_birth.day))


def evaluate(facts: CaseFacts, rules: RuleSet = DEFAULT_RULESET) -> Decision:
    evaluation = Evaluation()
    age = age_on(facts.today, facts.victim.date_of_birth)
    old_enough = age >= rules.min_victim_age
    add_age_routes(evaluation, age, rules)
    if old_enough:
        check_visible_high_risk(evaluation, facts, rules)
        check_other_tools(evaluation, facts, rules)
        check_professional_judgement(evaluation, facts, rules)
        check_escalation(evaluation, facts, rules)
        check_repeat(evaluation, facts, rules)
    add_assessment_tiers(evaluation, facts, rules)
    add_factor_prompts(evaluation, facts)
    add_freshness_prompts(evaluation, facts, rules)
    eligible = old_enough and bool(evaluation.criteria)
    add_routes(evaluation, facts, rules, eligible)
    tier, source = case_tier(evaluation)
    if tier is Tier.VERY_HIGH:
        evaluation.prompts.insert(0, Prompt("immediate-safeguarding", "Very high risk: take immediate safeguarding action now; consider an emergency MARAC or strategy meeting."))
    return Decision(
        eligible=eligible,
        criteria=tuple(evaluation.criteria),
        tier=tier,
        tier_source=source,
        prompts=tuple(evaluation.prompts),
        routes=tuple(dict.fromkeys(evaluation.routes)),
        ruleset=rules.version,
        repeat_watch_ends=repeat_watch_end(facts, rules, eligible),
    )


def add_age_routes(evaluation: Evaluation, age: int, rules: RuleSet) -> None:
    if age < rules.min_victim_age:
        evaluation.routes.append("children-safeguarding")
        evaluation.prompt(
            "under-minimum-age",
            f"The victim is {age}: MARAC hears victims aged {rules.min_victim_age} or over. Refer to children's safeguarding.",
        )
    elif age < rules.adult_age:
        evaluation.routes += ["children-social-care-referral", "ypva"]


def latest(assessments, tools) -> AssessmentFacts | None:
    matching = [assessment for assessment in assessments if assessment.tool in tools]
    return max(matching, key=lambda assessment: assessment.date, default=None)


def check_visible_high_risk(evaluation: Evaluation, facts: CaseFacts, rules: RuleSet) -> None:
    assessment = latest(facts.assessments, rules.vhr_tools)
    if assessment and assessment.result.score >= rules.vhr_threshold:
        evaluation.criteria.append(Criterion(VISIBLE_HIGH_RISK, f"{assessment.tool} {assessment.result.score:g} yes"))
    elif assessment and assessment.result.tier is not None and assessment.result.tier >= Tier.HIGH:
        evaluation.prompt(
            "graded-high-below-threshold",
            f"{assessment.tool} is graded high with fewer than {rules.vhr_threshold} yes answers: consider a professional judgement referral.",
        )


def check_other_tools(evaluation: Evaluation, facts: CaseFacts, rules: RuleSet) -> None:
    if not rules.accept_other_tool_high_as_vhr:
        return
    for assessment in facts.assessments:
        tier = assessment.result.tier
        if assessment.tool not in rules.vhr_tools and tier is not None and tier >= rules.other_tool_min_tier:
            evaluation.criteria.append(Criterion(VISIBLE_HIGH_RISK_OTHER_TOOL, f"{assessment.tool} tier {int(tier)}", needs_confirmation=True))
            evaluation.prompt(
                "coordinator-confirmation-needed",
                f"High risk on {assessment.tool} counts as visible high risk only once the MARAC coordinator confirms it.",
            )
            break


def check_professional_judgement(evaluation: Evaluation, facts: CaseFacts, rules: RuleSet) -> None:
    judgement = facts.professional_judgement
    if judgement is None:
        return
    if rules.pj_requires_rationale and not judgement.rationale.strip():
        evaluation.prompt("judgement-needs-rationale", "Professional judgement needs a rationale: say what the concerns are and why.")
        return
    evaluation.tier_inputs.append((int(judgement.tier), PROFESSIONAL_JUDGEMENT))
    if judgement.tier >= Tier.HIGH:
        evaluation.criteria.append(Criterion(PROFESSIONAL_JUDGEMENT, f"tier {int(judgement.tier)}"))


def check_escalation(evaluation: Evaluation, facts: CaseFacts, rules: RuleSet) -> None:
    window_start = facts.today - timedelta(days=rules.escalation_window_days)
    recent = [incident for incident in facts.incidents if window_start <= incident.date <= facts.today]
    if len(recent) >= rules.escalation_min_incidents:
        evaluation.criteria.append(Criterion(POTENTIAL_ESCALATION, f"{len(recent)} incidents in {rules.escalation_window_days} days"))
        evaluation.tier_inputs.append((int(Tier.HIGH), POTENTIAL_ESCALATION))


def last_referral(facts: CaseFacts) -> date | None:
    return max((day for day in facts.previous_referral_dates if day <= facts.today), default=None)


def counts_as_repeat(incident: IncidentFacts, rules: RuleSet) -> bool:
    return rules.repeat_definition == "any-abuse" or incident.type in LEGACY_REPEAT_INCIDENT_TYPES


def check_repeat(evaluation: Evaluation, facts: CaseFacts, rules: RuleSet) -> None:
    last = last_referral(facts)
    if last is None:
        return
    window_end = min(last + timedelta(days=rules.repeat_window_days), facts.today)
    repeats = [
        incident for incident in facts.incidents if last < incident.date <= window_end and counts_as_repeat(incident, rules)
    ]
    if repeats:
        evaluation.criteria.append(Criterion(REPEAT, f"incident on {repeats[0].date.isoformat()} after referral of {last.isoformat()}"))
        evaluation.tier_inputs.append((int(Tier.HIGH), REPEAT))


def add_assessment_tiers(evaluation: Evaluation, facts: CaseFacts, rules: RuleSet) -> None:
    judgement_tier = evaluation_judgement_tier(evaluation)
    for assessment in facts.assessments:
        tier = assessment.result.tier
        if tier is None:
            continue
        evaluation.tier_inputs.append((int(tier), f"assessment:{assessment.tool}"))
        if judgement_tier is not None and judgement_tier < tier:
            evaluation.prompt(
                "judgement-cannot-lower",
                f"Professional judgement cannot lower the tier set by {assessment.tool}; it is kept as a comment only.",
            )
        if assessment.tool in rules.recidivism_tools:
            evaluation.prompt(
                "recidivism-tool",
                f"{assessment.tool} predicts repeat assault, not lethality: its score alone never makes a case very high risk.",
            )


def evaluation_judgement_tier(evaluation: Evaluation) -> int | None:
    return next((tier for tier, source in evaluation.tier_inputs if source == PROFESSIONAL_JUDGEMENT), None)


def evidenced_factors(facts: CaseFacts) -> set[str]:
    return {factor for assessment in facts.assessments for factor in assessment.result.factors}


def add_factor_prompts(evaluation: Evaluation, facts: CaseFacts) -> None:
    factors = evidenced_factors(facts)
    serious = sorted(factors & SERIOUS_FACTOR_IDS)
    if serious and not evaluation.criteria:
        names = ", ".join(FACTORS_BY_ID[factor].name.lower() for factor in serious)
        evaluation.prompt("consider-professional-judgement", f"Serious risk factors are present ({names}): consider a professional judgement referral.", tuple(serious))
    if {"CF05", "CF13"} <= factors and factors & {"CF01", "CF18"}:
        evaluation.prompt(
            "cluster-of-three",
            "Separation, coercive control and physical or sexual violence are all present: the cluster of three. Consider a professional judgement referral.",
        )
    incomplete = [
        item for assessment in facts.assessments for prompt in assessment.result.prompts
        if prompt.code == "serious-factor-unanswered" for item in prompt.items
    ]
    if incomplete:
        evaluation.prompt("incomplete-assessment", "Items about serious risk factors are unanswered: complete them when it is safe to.", tuple(incomplete))


def add_freshness_prompts(evaluation: Evaluation, facts: CaseFacts, rules: RuleSet) -> None:
    newest = max((assessment.date for assessment in facts.assessments), default=None)
    if newest is None:
        return
    if (facts.today - newest).days > rules.assessment_max_age_days:
        evaluation.prompt("assessment-out-of-date", f"The latest assessment is more than {rules.assessment_max_age_days} days old: reassess.")
    if any(newest < incident.date <= facts.today for incident in facts.incidents):
        evaluation.prompt("reassess-after-incident", "There has been an incident since the latest assessment: reassess.")


def add_routes(evaluation: Evaluation, facts: CaseFacts, rules: RuleSet, eligible: bool) -> None:
    area = facts.victim.area
    if rules.marac_area and area and area.strip().lower() != rules.marac_area.strip().lower():
        evaluation.routes.append("marac-to-marac-transfer")
    if eligible:
        evaluation.routes += ["marac-referral", "idva-referral"]


def case_tier(evaluation: Evaluation) -> tuple[Tier, str]:
    if not evaluation.tier_inputs:
        return Tier.STANDARD, "no-evidence"
    tier, source = max(evaluation.tier_inputs, key=lambda entry: entry[0])
    if evaluation.criteria and tier < Tier.HIGH:
        return Tier.HIGH, evaluation.criteria[0].code
    return Tier(tier), source


def repeat_watch_end(facts: CaseFacts, rules: RuleSet, eligible: bool) -> date | None:
    return facts.today + timedelta(days=rules.repeat_window_days) if eligible else None


def ruleset_with(overrides: dict) -> RuleSet:
    return replace(DEFAULT_RULESET, **overrides) if overrides else DEFAULT_RULESET
