"""score(pack, answers) -> RiskResult: each tool scored by its own rules, as its pack describes.

The methods are a small closed set: count, weighted, lap-screen, spj and grade. Anything that
cannot be read raises AnswerError and nothing else. Every rule the pack marks unverified that a
result relies on is named in the result's prompts.

"Not applicable" is an answer only where the pack allows it: elsewhere it would hide a missing
answer. New answers are refused; answers stored before that rule count as unanswered.
"""

from collections.abc import Mapping
from dataclasses import dataclass

from risk.answers import (
    UNANSWERED,
    Answer,
    AnswerError,
    Rating,
    read_choice,
    read_rating,
    read_yes_no,
)
from risk.instruments import Band, Item, Pack, RuleNote
from risk.schema import SERIOUS_FACTOR_IDS, Prompt, RiskResult, Tier, natural_key


@dataclass(frozen=True)
class ReadAnswers:
    """Answers in the common vocabulary, keyed by item id; an item left out has no entry."""

    yes_no: dict[str, Answer]
    ratings: dict[str, Rating | None]
    choices: dict[str, str | None]

    def is_yes(self, item_id: str) -> bool:
        return self.yes_no.get(item_id) is Answer.YES


def score(pack: Pack, answers: Mapping) -> RiskResult:
    """Scores answers as they arrive from a form, a file or a calling system."""
    return METHODS[pack.scoring.method](pack, read_answers(pack, answers))


def score_stored(pack: Pack, answers: Mapping) -> RiskResult:
    """Scores answers kept from before: a "not applicable" that the pack no longer allows is unanswered."""
    return METHODS[pack.scoring.method](pack, read_answers(pack, answers, stored=True))


def read_answers(pack: Pack, answers, *, stored: bool = False) -> ReadAnswers:
    if not isinstance(answers, Mapping):
        raise AnswerError('answers must be an object of item ids and answers, like {"q1": "yes"}')
    items = pack.items_by_id()
    unknown = sorted((str(key) for key in answers if key not in items), key=natural_key)
    if unknown:
        raise AnswerError(f"{', '.join(unknown[:5])}: not an item of {pack.id}; its items are {item_range(pack)}")
    yes_no, ratings, choices = {}, {}, {}
    for item in pack.items:  # in the pack's order, so a refusal names the first item it applies to
        if item.id not in answers:
            continue
        item_id, raw = item.id, answers[item.id]
        if item.answer_type == "yes-no":
            yes_no[item_id] = allowed_answer(pack, item, read_yes_no(item_id, raw), stored=stored)
        elif item.answer_type == "rating":
            ratings[item_id] = read_rating(item_id, raw)
        else:
            choices[item_id] = read_choice(item_id, raw, item.choices)
    return ReadAnswers(yes_no, ratings, choices)


def allowed_answer(pack: Pack, item: Item, answer: Answer, *, stored: bool) -> Answer:
    if answer is not Answer.NOT_APPLICABLE or item.may_be_not_applicable:
        return answer
    if stored:
        return Answer.NOT_ASKED
    allowed = [other.id for other in pack.items if other.may_be_not_applicable]
    where = f"only {', '.join(allowed)} may be" if allowed else "no item of this tool may be"
    raise AnswerError(
        f"{item.id}: not applicable is not an answer to this item ({item.label.lower()}); {where} not applicable. "
        "Use yes, no, unknown (don't know), declined or not-asked"
    )


def item_range(pack: Pack) -> str:
    ids = [item.id for item in pack.items]
    return ", ".join(ids) if len(ids) <= 6 else f"{ids[0]} to {ids[-1]} ({len(ids)} in all)"


def not_applicable_items(pack: Pack, read: ReadAnswers) -> set[str]:
    ruled_out = {item.parent for item in pack.items if item.effect == "parent-not-applicable" and read.is_yes(item.id)}
    answered_na = {item_id for item_id, answer in read.yes_no.items() if answer is Answer.NOT_APPLICABLE}
    return ruled_out | answered_na


def counted_items(pack: Pack, read: ReadAnswers) -> list[Item]:
    excluded = not_applicable_items(pack, read)
    return [item for item in pack.scored_items if item.id not in excluded]


def yes_count(pack: Pack, read: ReadAnswers) -> int:
    return sum(read.is_yes(item.id) for item in counted_items(pack, read))


def factor_evidence(pack: Pack, read: ReadAnswers) -> dict[str, tuple[str, ...]]:
    excluded = not_applicable_items(pack, read)
    evidence: dict[str, list[str]] = {}
    for item in pack.items:
        present = read.is_yes(item.id) or read.ratings.get(item.id) is Rating.PRESENT
        if item.effect == "evidence-only":
            present = present and read.is_yes(item.parent)
        if present and item.id not in excluded and item.effect != "parent-not-applicable":
            for factor in item.factors:
                evidence.setdefault(factor, []).append(item.id)
    return {factor: tuple(item_ids) for factor, item_ids in evidence.items()}


def expected_items(pack: Pack) -> list[Item]:
    """Items a complete assessment answers: the scored ones, ratings and the judgement itself."""
    judgement = {pack.scoring.grade_item, pack.scoring.priority_item}
    return [item for item in pack.items if item.scored or item.answer_type == "rating" or item.id in judgement]


def missing_items(pack: Pack, read: ReadAnswers) -> list[str]:
    excluded = not_applicable_items(pack, read)
    missing = []
    for item in expected_items(pack):
        if item.id in excluded:
            continue
        if item.answer_type == "yes-no":
            answer = read.yes_no.get(item.id, Answer.NOT_ASKED)
            if answer in UNANSWERED:
                missing.append(item.id)
        elif (read.ratings if item.answer_type == "rating" else read.choices).get(item.id) is None:
            missing.append(item.id)
    return missing


def data_quality_prompts(pack: Pack, read: ReadAnswers, missing: list[str]) -> list[Prompt]:
    return missing_answer_prompts(pack, missing) + [
        yes_prompt(item) for item in pack.items if item.prompt_if_yes and read.is_yes(item.id)
    ]


def missing_answer_prompts(pack: Pack, missing) -> list[Prompt]:
    prompts = []
    serious = [item_id for item_id in missing if SERIOUS_FACTOR_IDS & set(pack.item(item_id).factors)]
    if serious:
        prompts.append(
            Prompt(
                "serious-factor-unanswered",
                "Items about serious risk factors have no yes or no answer: find out before relying on this result.",
                tuple(serious),
            )
        )
    if missing:
        prompts.append(
            Prompt(
                "answers-missing",
                f"{len(missing)} of {len(expected_items(pack))} items have no answer, so the score may be lower than "
                "the real risk.",
                tuple(missing),
            )
        )
    if pack.scoring.max_missing is not None and len(missing) > pack.scoring.max_missing:
        prompts.append(
            Prompt(
                "too-many-missing",
                f"More than {pack.scoring.max_missing} items are missing: the tool's rules (unverified) say not to "
                "score it.",
                tuple(missing),
            )
        )
    return prompts


def yes_prompt(item: Item) -> Prompt:
    return Prompt(item.prompt_if_yes.code, item.prompt_if_yes.message, (item.id,))


def band_for(pack: Pack, value: float) -> Band:
    return next(band for band in pack.bands if band.contains(value))


def capped(pack: Pack, tier: int | None) -> Tier | None:
    if tier is None:
        return None
    ceiling = pack.scoring.max_tier_from_score or Tier.VERY_HIGH
    return Tier(min(tier, ceiling))


def band_prompt(band: Band) -> list[Prompt]:
    prompts = [Prompt("band-caveat", band.caveat)] if band.caveat else []
    if not band.rule.verified:
        prompts.append(Prompt("band-unverified", f"The {band.label} band is not a checked rule: {band.rule.basis}."))
    return prompts


def unverified_rule(pack: Pack, note: RuleNote | None) -> list[Prompt]:
    if note is None or note.verified:
        return []
    return [Prompt("rule-unverified", f"Not a checked rule of {pack.name}: {note.basis}.")]


def unverified_source(pack: Pack) -> list[Prompt]:
    if pack.source_verified:
        return []
    return [
        Prompt(
            "rule-unverified",
            f"The items of {pack.name} are not checked against the tool's own publication: {pack.source_citation}",
        )
    ]


def result(pack, read, *, score, band, tier, prompts=()) -> RiskResult:
    missing = missing_items(pack, read)
    prompts = [*unverified_source(pack), *prompts]
    return RiskResult(
        tool=pack.id,
        version=pack.version,
        score=score,
        max_score=pack.max_score,
        band=band,
        tier=tier,
        factors=factor_evidence(pack, read),
        missing=tuple(missing),
        prompts=tuple([*prompts, *data_quality_prompts(pack, read, missing)]),
    )


def score_by_count(pack: Pack, read: ReadAnswers) -> RiskResult:
    total = yes_count(pack, read)
    band = band_for(pack, total)
    prompts = [*unverified_rule(pack, pack.scoring.rule), *band_prompt(band)]
    return result(pack, read, score=total, band=band.id, tier=capped(pack, band.tier), prompts=prompts)


def score_by_weight(pack: Pack, read: ReadAnswers) -> RiskResult:
    count = yes_count(pack, read)
    if not pack.weights_loaded:
        not_loaded = Prompt(
            "weights-not-loaded",
            f"No licensed weight table for {pack.name} is installed, so the score is the number of yes answers "
            f"({count}), "
            "with no danger level and no tier. Use your professional judgement.",
        )
        return result(pack, read, score=count, band=None, tier=None, prompts=[not_loaded])
    total = sum(item.weight for item in counted_items(pack, read) if read.is_yes(item.id))
    band = band_for(pack, total)
    raw_count = Prompt("yes-count", f"Weighted score {total:g} from the licensed table; raw yes-count {count}.")
    prompts = [raw_count, *unverified_rule(pack, pack.scoring.rule), *band_prompt(band)]
    return result(pack, read, score=total, band=band.id, tier=capped(pack, band.tier), prompts=prompts)


def score_lap_screen(pack: Pack, read: ReadAnswers) -> RiskResult:
    override = read.is_yes(pack.scoring.override_item)
    by_answers = screened_in_by_answers(pack, read)
    total = yes_count(pack, read)
    band = next(
        band for band in pack.bands if band.id == ("screened-in" if by_answers or override else "not-screened-in")
    )
    tier = band.tier_if_any_yes if (band.tier_if_any_yes and total) else band.tier
    prompts = [*unverified_rule(pack, pack.scoring.rule), *band_prompt(band)]
    if override and not by_answers:
        prompts.insert(
            0,
            Prompt(
                "officer-override",
                "Screened in by the officer's judgement, not by the answers.",
                (pack.scoring.override_item,),
            ),
        )
    return result(pack, read, score=total, band=band.id, tier=capped(pack, tier), prompts=prompts)


def screened_in_by_answers(pack: Pack, read: ReadAnswers) -> bool:
    scoring = pack.scoring
    return any(read.is_yes(item_id) for item_id in scoring.any_of) or (
        sum(read.is_yes(item_id) for item_id in scoring.count_of) >= scoring.min_count
    )


def score_spj(pack: Pack, read: ReadAnswers) -> RiskResult:
    scoring = pack.scoring
    present = sum(rating is Rating.PRESENT for rating in read.ratings.values())
    possible = tuple(item_id for item_id, rating in read.ratings.items() if rating is Rating.POSSIBLE)
    priority = read.choices.get(scoring.priority_item)
    prompts = unverified_rule(pack, scoring.rule)
    if possible:
        prompts.append(
            Prompt(
                "factors-possibly-present",
                "Some factors are rated possibly present: say how they shape the judgement.",
                possible,
            )
        )
    if read.is_yes(scoring.imminent_item):
        tier = Tier.VERY_HIGH
        prompts.insert(
            0,
            Prompt("imminent-risk", "The assessor judges violence to be imminent: act now.", (scoring.imminent_item,)),
        )
    elif priority is not None:
        tier = Tier(pack.item(scoring.priority_item).choice(priority).tier)
    else:
        tier = None
        prompts.insert(
            0,
            Prompt(
                "judgement-missing", "No summary judgement is recorded, so there is no tier.", (scoring.priority_item,)
            ),
        )
    return result(pack, read, score=present, band=priority, tier=tier, prompts=prompts)


def score_grade(pack: Pack, read: ReadAnswers) -> RiskResult:
    """The grade is the tool's own result; the yes-count's band, where the pack has one, can raise the
    common tier above the grade's but never lower it."""
    total = yes_count(pack, read)
    grade_item = pack.item(pack.scoring.grade_item)
    grade = read.choices.get(grade_item.id)
    band = band_for(pack, total) if pack.bands else None
    prompts = unverified_rule(pack, pack.scoring.rule)
    if grade is None:
        missing = "the tier comes from the yes-count" if band else "so there is no tier"
        prompts.append(
            Prompt("grade-missing", f"No {grade_item.label.lower()} is recorded: {missing}.", (grade_item.id,))
        )
        if band is None:
            return result(pack, read, score=total, band=None, tier=None, prompts=prompts)
        return result(
            pack, read, score=total, band=band.id, tier=capped(pack, band.tier), prompts=[*prompts, *band_prompt(band)]
        )
    choice = grade_item.choice(grade)
    prompts += unverified_rule(pack, pack.scoring.grade_tier_rule)
    tier = choice.tier
    if band is not None and band.tier > choice.tier:
        tier = band.tier
        prompts.append(
            Prompt(
                "count-raises-grade",
                f"{total} yes answers are in the {band.label} band, above the {choice.label.lower()} grade: the "
                "common tier is "
                f"{Tier(band.tier).label.lower()}. The grade stays the tool's result; a grade can raise the tier but "
                "never lower it.",
            )
        )
        prompts += band_prompt(band)
    return result(pack, read, score=total, band=grade, tier=capped(pack, tier), prompts=prompts)


METHODS = {
    "count": score_by_count,
    "weighted": score_by_weight,
    "lap-screen": score_lap_screen,
    "spj": score_spj,
    "grade": score_grade,
}
