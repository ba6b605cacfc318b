"""MARAC eligibility: SafeLives' four criteria and the routes around them, applied by a rule set
(risk/rulesets/) to plain facts about one victim and the perpetrator(s).

The engine only decides and explains; it never refers a case by itself. Prompts ask a person to
consider something; criteria are what make a case eligible. Three things always hold:

- Risk is never lowered: any current assessment over a threshold counts, whatever came after it,
  and a judgement or a grade can raise the tier but never lower it.
- The answer never depends on the order of the inputs: every list is read as a set.
- Each criterion names the inputs that met it (their indexes in the facts given).
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from risk.instruments import load_all_packs
from risk.rulesets import RuleSet, get_ruleset
from risk.schema import FACTORS_BY_ID, SERIOUS_FACTOR_IDS, Prompt, RiskResult, Tier

VISIBLE_HIGH_RISK = "visible-high-risk"
VISIBLE_HIGH_RISK_OTHER_TOOL = "visible-high-risk-other-tool"
PROFESSIONAL_JUDGEMENT = "professional-judgement"
POTENTIAL_ESCALATION = "potential-escalation"
REPEAT = "repeat"
NO_EVIDENCE = "no-evidence"  # the tier source when there is no assessment or judgement
CRITERION_LABELS = {
    VISIBLE_HIGH_RISK: "Visible high risk (checklist score)",
    VISIBLE_HIGH_RISK_OTHER_TOOL: "Visible high risk (other risk tool)",
    PROFESSIONAL_JUDGEMENT: "Professional judgement",
    POTENTIAL_ESCALATION: "Potential escalation",
    REPEAT: "Repeat",
}
ROUTE_LABELS = {
    "children-safeguarding": "Refer to children's safeguarding (under the MARAC's minimum age)",
    "children-social-care-referral": "Refer to children's social care",
    "ypva": "Refer to a young people's violence adviser",
    "marac-to-marac-transfer": "Transfer to the MARAC where the victim lives",
    "marac-referral": "Refer to the MARAC",
    "idva-referral": "Refer to an IDVA",
}
# The rules each criterion rests on, so a decision can name the unchecked ones it relied on.
CRITERION_RULES = {
    VISIBLE_HIGH_RISK: ("vhr_tools", "vhr_threshold"),
    VISIBLE_HIGH_RISK_OTHER_TOOL: ("accept_other_tool_high_as_vhr", "other_tool_min_tier"),
    PROFESSIONAL_JUDGEMENT: ("pj_min_tier", "pj_requires_rationale"),
    POTENTIAL_ESCALATION: ("escalation_min_incidents", "escalation_window_days", "escalation_sources"),
    REPEAT: ("repeat_window_days", "repeat_definition", "legacy_repeat_incident_types"),
}
ASSESSMENTS, INCIDENTS, PREVIOUS_REFERRALS, JUDGEMENTS = (
    "assessments",
    "incidents",
    "previous_referrals",
    "professional_judgement",
)


@dataclass(frozen=True)
class Victim:
    date_of_birth: date
    area: str | None = None


@dataclass(frozen=True)
class AssessmentFacts:
    tool: str
    date: date
    result: RiskResult
    ref: str | None = None  # the stored record's id, so a decision can point at it


@dataclass(frozen=True)
class IncidentFacts:
    date: date
    agency: str
    type: str | None = None
    perpetrator: str | None = None  # who caused harm, if known
    ref: str | None = None


@dataclass(frozen=True)
class JudgementFacts:
    tier: Tier
    rationale: str = ""
    ref: str | None = None


@dataclass(frozen=True)
class ReferralFacts:
    """A MARAC referral taken to a meeting, with the perpetrator(s) it named."""

    date: date
    perpetrators: tuple[str, ...] = ()
    ref: str | None = None


@dataclass(frozen=True)
class CaseFacts:
    today: date
    victim: Victim
    assessments: tuple[AssessmentFacts, ...] = ()
    judgements: tuple[JudgementFacts, ...] = ()
    incidents: tuple[IncidentFacts, ...] = ()
    previous_referrals: tuple[ReferralFacts, ...] = ()


@dataclass(frozen=True)
class Evidence:
    kind: str  # which list of the facts: assessments, incidents, previous_referrals, professional_judgement
    index: int
    ref: str | None
    text: str


@dataclass(frozen=True)
class Criterion:
    code: str
    evidence: tuple[Evidence, ...]
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
    unverified: tuple[str, ...] = ()

    @property
    def codes(self) -> list[str]:
        return [criterion.code for criterion in self.criteria]

    def evidence_indexes(self) -> dict:
        return {
            criterion.code: {
                kind: sorted(item.index for item in criterion.evidence if item.kind == kind)
                for kind in dict.fromkeys(item.kind for item in criterion.evidence)
            }
            for criterion in self.criteria
        }

    def to_record(self) -> dict:
        """The decision as it is stored and shown: the evidence by the stored records' ids, and in words."""
        return {
            "ruleset": self.ruleset,
            "eligible": self.eligible,
            "criteria": self.codes,
            "tier": int(self.tier),
            "tier_source": self.tier_source,
            "prompts": [prompt.to_dict() for prompt in self.prompts],
            "routes": list(self.routes),
            "evidence": {
                criterion.code: [{"kind": item.kind, "ref": item.ref, "text": item.text} for item in criterion.evidence]
                for criterion in self.criteria
            },
            "unverified": list(self.unverified),
        }

    def to_dict(self) -> dict:
        return {
            "eligible": self.eligible,
            "criteria": self.codes,
            "tier": int(self.tier),
            "prompts": [prompt.to_dict() for prompt in self.prompts],
            "routes": list(self.routes),
            "ruleset": self.ruleset,
            "evidence": self.evidence_indexes(),
        }


@dataclass
class Evaluation:
    """The decision being built up, rule by rule, from the facts read as sets."""

    facts: CaseFacts
    rules: RuleSet
    criteria: list[Criterion] = field(default_factory=list)
    prompts: list[Prompt] = field(default_factory=list)
    routes: list[str] = field(default_factory=list)
    tier_inputs: list[tuple[int, str]] = field(default_factory=list)
    rules_relied_on: set[str] = field(default_factory=set)

    def prompt(self, code: str, message: str, items: tuple[str, ...] = ()) -> None:
        self.prompts.append(Prompt(code, message, items))

    def meet(self, code: str, evidence: list[Evidence], *, needs_confirmation: bool = False) -> None:
        ordered = tuple(sorted(evidence, key=lambda item: (item.kind, item.index)))
        self.criteria.append(Criterion(code, ordered, needs_confirmation))
        self.rules_relied_on.update(CRITERION_RULES[code])


def evaluate(facts: CaseFacts, rules: RuleSet | None = None) -> Decision:
    rules = rules or get_ruleset()
    evaluation = Evaluation(facts, rules)
    age = age_on(facts.today, facts.victim.date_of_birth)
    old_enough = age >= rules.min_victim_age
    current = current_assessments(evaluation)
    add_age_routes(evaluation, age)
    if old_enough:
        check_visible_high_risk(evaluation, current)
        check_other_tools(evaluation, current)
        check_professional_judgement(evaluation)
        check_escalation(evaluation)
        check_repeat(evaluation)
    add_assessment_tiers(evaluation, current)
    add_factor_prompts(evaluation, current)
    add_reassessment_prompts(evaluation)
    eligible = old_enough and bool(evaluation.criteria)
    add_routes(evaluation, eligible)
    tier, source = case_tier(evaluation)
    if tier is Tier.VERY_HIGH:
        evaluation.prompts.insert(
            0,
            Prompt(
                "immediate-safeguarding",
                "Very high risk: take immediate safeguarding action now; consider an emergency MARAC or strategy "
                "meeting.",
            ),
        )
    return Decision(
        eligible=eligible,
        criteria=tuple(sorted(evaluation.criteria, key=lambda criterion: list(CRITERION_LABELS).index(criterion.code))),
        tier=tier,
        tier_source=source,
        prompts=tuple(dict.fromkeys(evaluation.prompts)),
        routes=tuple(dict.fromkeys(evaluation.routes)),
        ruleset=rules.version,
        repeat_watch_ends=facts.today + timedelta(days=rules.repeat_window_days) if eligible else None,
        unverified=unverified_relied_on(evaluation, current),
    )


def age_on(day: date, date_of_birth: date) -> int:
    return day.year - date_of_birth.year - ((day.month, day.day) < (date_of_birth.month, date_of_birth.day))


def shown_date(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def tool_name(tool_id: str) -> str:
    pack = load_all_packs().get(tool_id)
    return pack.name if pack else tool_id


def add_age_routes(evaluation: Evaluation, age: int) -> None:
    rules = evaluation.rules
    if age < rules.min_victim_age:
        evaluation.routes.append("children-safeguarding")
        evaluation.prompt(
            "under-minimum-age",
            f"The victim is {age}: MARAC hears victims aged {rules.min_victim_age} or over. Refer to children's "
            "safeguarding.",
        )
    elif age < rules.adult_age:
        evaluation.routes += ["children-social-care-referral", "ypva"]


def in_order(items, key) -> list[tuple[int, object]]:
    """Each input with its index, in an order fixed by its content, so that no rule sees the order it was given in."""
    if len(items) <= 1:  # nothing to order: an imported case has one assessment, and a bulk import makes thousands
        return list(enumerate(items))
    return sorted(enumerate(items), key=lambda entry: (key(entry[1]), entry[0]))


def assessment_key(assessment: AssessmentFacts) -> tuple:
    result = assessment.result
    return (
        assessment.date,
        assessment.tool,
        result.score,
        int(result.tier or 0),
        result.band or "",
        tuple(sorted(result.factors)),
    )


def is_current(assessment: AssessmentFacts, facts: CaseFacts, rules: RuleSet) -> bool:
    # A date after today is counted: an unlikely typing slip must never drop a high result.
    return (facts.today - assessment.date).days <= rules.assessment_max_age_days


def current_assessments(evaluation: Evaluation) -> list[tuple[int, AssessmentFacts]]:
    """The assessments inside the rule set's validity window; the older ones meet no criterion and ask for a
    reassessment."""
    facts, rules = evaluation.facts, evaluation.rules
    ordered = in_order(facts.assessments, assessment_key)
    if ordered:
        evaluation.rules_relied_on.add("assessment_max_age_days")
    stale = [assessment for _, assessment in ordered if not is_current(assessment, facts, rules)]
    if stale:
        listed = "; ".join(f"{tool_name(assessment.tool)} of {shown_date(assessment.date)}" for assessment in stale)
        evaluation.prompt(
            "reassess",
            f"Older than {rules.assessment_max_age_days} days, so it meets no criterion and sets no tier: {listed}. "
            "Reassess with the victim; the old result stays in the case's history.",
        )
    return [(index, assessment) for index, assessment in ordered if is_current(assessment, facts, rules)]


def assessment_evidence(index: int, assessment: AssessmentFacts, detail: str) -> Evidence:
    return Evidence(
        ASSESSMENTS, index, assessment.ref, f"{tool_name(assessment.tool)} of {shown_date(assessment.date)}: {detail}"
    )


def check_visible_high_risk(evaluation: Evaluation, current: list[tuple[int, AssessmentFacts]]) -> None:
    rules = evaluation.rules
    met = [
        assessment_evidence(index, assessment, f"{assessment.result.score:g} yes answers")
        for index, assessment in current
        if assessment.tool in rules.vhr_tools and assessment.result.score >= rules.vhr_threshold
    ]
    if met:
        evaluation.meet(VISIBLE_HIGH_RISK, met)


def check_other_tools(evaluation: Evaluation, current: list[tuple[int, AssessmentFacts]]) -> None:
    """High on a tool other than the checklist's count (a police grade included) counts once the coordinator
    confirms it."""
    rules = evaluation.rules
    if not rules.accept_other_tool_high_as_vhr:
        return
    counted = {
        item.index
        for criterion in evaluation.criteria
        for item in criterion.evidence
        if criterion.code == VISIBLE_HIGH_RISK
    }
    high = [
        assessment_evidence(index, assessment, f"common tier {Tier(assessment.result.tier).label.lower()}")
        for index, assessment in current
        if index not in counted
        and assessment.result.tier is not None
        and assessment.result.tier >= rules.other_tool_min_tier
    ]
    if not high:
        return
    evaluation.meet(VISIBLE_HIGH_RISK_OTHER_TOOL, high, needs_confirmation=True)
    if not counted:
        tools = ", ".join(sorted({tool_name(evaluation.facts.assessments[item.index].tool) for item in high}))
        evaluation.prompt(
            "coordinator-confirmation-needed",
            f"High risk on {tools} counts as visible high risk only once the MARAC coordinator confirms it.",
        )


def check_professional_judgement(evaluation: Evaluation) -> None:
    facts, rules = evaluation.facts, evaluation.rules
    usable = []
    for index, judgement in in_order(facts.judgements, lambda judgement: (int(judgement.tier), judgement.rationale)):
        if rules.pj_requires_rationale and not judgement.rationale.strip():
            evaluation.prompt(
                "judgement-needs-rationale",
                "Professional judgement needs a rationale: say what the concerns are and why.",
            )
        else:
            usable.append((index, judgement))
    if not usable:
        return
    # Any judgement can raise the tier; a later, lower one is kept as a comment only.
    evaluation.tier_inputs.append((max(int(judgement.tier) for _, judgement in usable), PROFESSIONAL_JUDGEMENT))
    high = [
        Evidence(JUDGEMENTS, index, judgement.ref, f"Professional judgement: {Tier(judgement.tier).label.lower()} risk")
        for index, judgement in usable
        if judgement.tier >= rules.pj_min_tier
    ]
    if high:
        evaluation.meet(PROFESSIONAL_JUDGEMENT, high)


def counts_towards_escalation(incident: IncidentFacts, rules: RuleSet) -> bool:
    return rules.escalation_sources == "any-agency" or incident.agency == "police"


def check_escalation(evaluation: Evaluation) -> None:
    facts, rules = evaluation.facts, evaluation.rules
    window_start = facts.today - timedelta(days=rules.escalation_window_days)
    recent = [
        Evidence(INCIDENTS, index, incident.ref, f"Incident on {shown_date(incident.date)}")
        for index, incident in enumerate(facts.incidents)
        if window_start <= incident.date <= facts.today and counts_towards_escalation(incident, rules)
    ]
    if len(recent) >= rules.escalation_min_incidents:
        evaluation.meet(POTENTIAL_ESCALATION, recent)


def counts_as_repeat(incident: IncidentFacts, rules: RuleSet) -> bool:
    return rules.repeat_definition == "any-abuse" or incident.type in rules.legacy_repeat_incident_types


def same_perpetrator(referral: ReferralFacts, incident: IncidentFacts) -> bool:
    """Safety first: where either side names nobody, it may be the same person."""
    return not referral.perpetrators or incident.perpetrator is None or incident.perpetrator in referral.perpetrators


def last_referral_for(
    incident: IncidentFacts, referrals: list[tuple[int, ReferralFacts]]
) -> tuple[int, ReferralFacts] | None:
    """The latest MARAC referral about the same victim and perpetrator as the incident."""
    same = [(index, referral) for index, referral in referrals if same_perpetrator(referral, incident)]
    # Ties are broken by what the referrals say, so the same referrals in any order name the same one.
    return max(
        same,
        key=lambda entry: (
            entry[1].date,
            tuple(sorted(entry[1].perpetrators)),
            entry[1].perpetrators,
            entry[1].ref or "",
            entry[0],
        ),
        default=None,
    )


def within_window(referral: ReferralFacts, incident: IncidentFacts, facts: CaseFacts, rules: RuleSet) -> bool:
    return referral.date < incident.date <= min(referral.date + timedelta(days=rules.repeat_window_days), facts.today)


def check_repeat(evaluation: Evaluation) -> None:
    """SafeLives: heard at MARAC, then any further abuse between the same victim and perpetrator(s)
    within the window after the last referral."""
    facts, rules = evaluation.facts, evaluation.rules
    referrals = [
        (index, referral) for index, referral in enumerate(facts.previous_referrals) if referral.date <= facts.today
    ]
    evidence, unsure, other_perpetrator = [], [], []
    for index, incident in enumerate(facts.incidents):
        if not counts_as_repeat(incident, rules):
            continue
        last = last_referral_for(incident, referrals)
        if last and within_window(last[1], incident, facts, rules):
            evidence += [
                Evidence(INCIDENTS, index, incident.ref, f"Incident on {shown_date(incident.date)}"),
                Evidence(PREVIOUS_REFERRALS, last[0], last[1].ref, f"MARAC referral of {shown_date(last[1].date)}"),
            ]
            if not last[1].perpetrators or incident.perpetrator is None:
                unsure.append(incident)
        elif last is None and any(within_window(referral, incident, facts, rules) for _, referral in referrals):
            other_perpetrator.append(incident)
    if evidence:
        evaluation.meet(REPEAT, list(dict.fromkeys(evidence)))
    if unsure:
        evaluation.prompt(
            "check-perpetrator",
            f"Counted as a repeat because the incident or the last referral does not say who caused harm "
            f"({dates_of(unsure)}): check it was the same perpetrator.",
        )
    if other_perpetrator:
        evaluation.prompt(
            "new-perpetrator",
            f"The incident of {dates_of(other_perpetrator)} was by someone not named on the last MARAC referral: it "
            "is not a repeat. Assess the risk from this perpetrator as a new referral.",
        )


def dates_of(incidents: list[IncidentFacts]) -> str:
    return ", ".join(shown_date(day) for day in sorted({incident.date for incident in incidents}))


def add_assessment_tiers(evaluation: Evaluation, current: list[tuple[int, AssessmentFacts]]) -> None:
    rules = evaluation.rules
    judgement_tier = next((tier for tier, source in evaluation.tier_inputs if source == PROFESSIONAL_JUDGEMENT), None)
    for _, assessment in current:
        tier = assessment.result.tier
        if tier is not None:
            evaluation.tier_inputs.append((int(tier), f"assessment:{assessment.tool}"))
            if judgement_tier is not None and judgement_tier < tier:
                evaluation.prompt(
                    "judgement-cannot-lower",
                    f"Professional judgement cannot lower the tier set by {tool_name(assessment.tool)}; it is kept as "
                    "a comment only.",
                )
        if assessment.tool in rules.recidivism_tools:
            evaluation.rules_relied_on.add("recidivism_tools")
            evaluation.prompt(
                "recidivism-tool",
                f"{tool_name(assessment.tool)} predicts repeat assault, not lethality: its score alone never makes a "
                "case very high risk.",
            )
        if any(prompt.code == "weights-not-loaded" for prompt in assessment.result.prompts):
            evaluation.prompt(
                "weights-not-loaded",
                f"{tool_name(assessment.tool)} has no licensed weight table installed, so it sets no tier: use your "
                "professional judgement.",
            )


def add_factor_prompts(evaluation: Evaluation, current: list[tuple[int, AssessmentFacts]]) -> None:
    rules = evaluation.rules
    factors = {factor for _, assessment in current for factor in assessment.result.factors}
    serious = sorted(factors & SERIOUS_FACTOR_IDS)
    if serious and not evaluation.criteria:
        names = ", ".join(FACTORS_BY_ID[factor].name.lower() for factor in serious)
        evaluation.prompt(
            "consider-professional-judgement",
            f"Serious risk factors are present ({names}): consider a professional judgement referral.",
            tuple(serious),
        )
    if set(rules.cluster_all_of) <= factors and factors & set(rules.cluster_any_of):
        evaluation.prompt(
            "cluster-of-three",
            "Separation, coercive control and physical or sexual violence are all present: the cluster of three. "
            "Consider a professional judgement referral.",
        )
    unanswered = sorted(
        {
            f"{assessment.tool} {item}"
            for _, assessment in current
            for prompt in assessment.result.prompts
            if prompt.code == "serious-factor-unanswered"
            for item in prompt.items
        }
    )
    if len(unanswered) >= rules.unanswered_serious_prompt_min:
        evaluation.rules_relied_on.add("unanswered_serious_prompt_min")
        evaluation.prompt(
            "incomplete-assessment",
            "Items about serious risk factors are unanswered, so the risk may be higher than the result shows: "
            "complete them when it is safe to.",
            tuple(unanswered),
        )


def add_reassessment_prompts(evaluation: Evaluation) -> None:
    facts = evaluation.facts
    newest = max((assessment.date for assessment in facts.assessments), default=None)
    if newest is not None and any(newest < incident.date <= facts.today for incident in facts.incidents):
        evaluation.prompt(
            "reassess-after-incident", "There has been an incident since the latest assessment: reassess."
        )


def add_routes(evaluation: Evaluation, eligible: bool) -> None:
    area, marac_area = evaluation.facts.victim.area, evaluation.rules.marac_area
    if marac_area and area and area.strip().lower() != marac_area.strip().lower():
        evaluation.routes.append("marac-to-marac-transfer")
    if eligible:
        evaluation.routes += ["marac-referral", "idva-referral"]


SOURCE_RANK = {PROFESSIONAL_JUDGEMENT: 0}


def case_tier(evaluation: Evaluation) -> tuple[Tier, str]:
    """The highest tier of any input; ties go to an assessment before a judgement, then by name, whatever the order."""
    rules = evaluation.rules
    if not evaluation.tier_inputs:
        tier, source = int(Tier.STANDARD), NO_EVIDENCE
    else:
        tier, source = max(evaluation.tier_inputs, key=lambda entry: (entry[0], SOURCE_RANK.get(entry[1], 1), entry[1]))
    if evaluation.criteria and tier < rules.criteria_min_tier:
        evaluation.rules_relied_on.add("criteria_min_tier")
        first = min(evaluation.criteria, key=lambda criterion: list(CRITERION_LABELS).index(criterion.code))
        return Tier(rules.criteria_min_tier), first.code
    return Tier(tier), source


def unverified_relied_on(evaluation: Evaluation, current: list[tuple[int, AssessmentFacts]]) -> tuple[str, ...]:
    """Every unchecked rule the decision rests on: the rule set's, and those of the results it used."""
    rules = evaluation.rules
    from_rules = [
        f"{rule.label}: {rule.shown_value} ({rule.source})"
        for key, rule in rules.rules.items()
        if key in evaluation.rules_relied_on and not rule.verified
    ]
    from_results = [message for _, assessment in current for message in assessment.result.unverified]
    return tuple(dict.fromkeys([*from_rules, *sorted(set(from_results))]))
