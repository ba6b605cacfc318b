"""score(pack, answers) -> RiskResult: each tool scored by its own rules, as its pack describes.

The methods are a small closed set: count, weighted, lap-screen, spj and grade. Anything that
cannot be read raises AnswerError and nothing else.
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
from risk.instruments import Band, Item, Pack
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
    read = read_answers(pack, answers)
    return METHODS[pack.scoring.method](pack, read)


def read_answers(pack: Pack, answers) -> ReadAnswers:
    if not isinstance(answers, Mapping):
        raise AnswerError('answers must be an object of item ids and answers, like {"q1": "yes"}')
    items = pack.items_by_id()
    unknown = sorted((str(key) for key in answers if key not in items), key=natural_key)
    if unknown:
        raise AnswerError(f"{', '.join(unknown[:5])}: not an item of {pack.id}; its items are {item_range(pack)}")
    yes_no, ratings, choices = {}, {}, {}
    for item_id, raw in answers.items():
        item = items[item_id]
        if item.answer_type == "yes-no":
            yes_no[item_id] = read_yes_no(item_id, raw)
        elif item.answer_type == "rating":
            ratings[item_id] = read_rating(item_id, raw)
        else:
            choices[item_id] = read_choice(item_id, raw, item.choices)
    return ReadAnswers(yes_no, ratings, choices)


def item_range(pack: Pack) -> str:
    ids = [item.id for item in pack.items]
    return ", ".join(ids) if len(ids) <= 6 else f"{ids[0]} to {ids[-1]} ({len(ids)} in all)"


def not_applicable_items(pack: Pack, read: ReadAnswers) -> set[str]:
    ruled_out = {
        item.parent for item in pack.items if item.effect == "parent-not-applicable" and read.is_yes(item.id)
    }
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
                f"{len(missing)} of {len(expected_items(pack))} items have no answer, so the score may be lower than the real risk.",
                tuple(missing),
            )
        )
    if pack.scoring.max_missing is not None and len(missing) > pack.scoring.max_missing:
        prompts.append(
            Prompt(
                "too-many-missing",
                f"More than {pack.scoring.max_missing} items are missing: the tool's rules (unverified) say not to score it.",
                tuple(missing),
            )
        )
    for item in pack.items:
        if item.prompt_if_yes and read.is_yes(item.id):
            prompts.append(Prompt(item.prompt_if_yes.code, item.prompt_if_yes.message, (item.id,)))
    return prompts


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


def result(pack, read, *, score, band, tier, prompts=()) -> RiskResult:
    missing = missing_items(pack, read)
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
    return result(pack, read, score=total, band=band.id, tier=capped(pack, band.tier), prompts=band_prompt(band))


def score_by_weight(pack: Pack, read: ReadAnswers) -> RiskResult:
    total = sum(item.weight for item in counted_items(pack, read) if read.is_yes(item.id))
    band = band_for(pack, total)
    prompts = band_prompt(band)
    if not pack.scoring.rule.verified:
        prompts.insert(
            0,
            Prompt(
                "weights-unverified",
                f"Weights unverified: the weighted score {total:g} uses weights not yet checked against the "
                f"tool's licensed scoring sheet. Raw yes-count: {yes_count(pack, read)}.",
            ),
        )
    return result(pack, read, score=total, band=band.id, tier=capped(pack, band.tier), prompts=prompts)


def score_lap_screen(pack: Pack, read: ReadAnswers) -> RiskResult:
    override = read.is_yes(pack.scoring.override_item)
    by_answers = screened_in_by_answers(pack, read)
    total = yes_count(pack, read)
    band = next(band for band in pack.bands if band.id == ("screened-in" if by_answers or override else "not-screened-in"))
    tier = band.tier_if_any_yes if (band.tier_if_any_yes and total) else band.tier
    prompts = band_prompt(band)
    if override and not by_answers:
        prompts.insert(0, Prompt("officer-override", "Screened in by the officer's judgement, not by the answers.", (pack.scoring.override_item,)))
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
    prompts = []
    if possible:
        prompts.append(Prompt("factors-possibly-present", "Some factors are rated possibly present: say how they shape the judgement.", possible))
    if read.is_yes(scoring.imminent_item):
        tier = Tier.VERY_HIGH
        prompts.insert(0, Prompt("imminent-risk", "The assessor judges violence to be imminent: act now.", (scoring.imminent_item,)))
    elif priority is not None:
        tier = Tier(pack.item(scoring.priority_item).choice(priority).tier)
    else:
        tier = None
        prompts.insert(0, Prompt("judgement-missing", "No summary judgement is recorded, so there is no tier.", (scoring.priority_item,)))
    return result(pack, read, score=present, band=priority, tier=tier, prompts=prompts)


def score_grade(pack: Pack, read: ReadAnswers) -> RiskResult:
    total = yes_count(pack, read)
    grade_item = pack.item(pack.scoring.grade_item)
    grade = read.choices.get(grade_item.id)
    if grade is not None:
        return result(pack, read, score=total, band=grade, tier=capped(pack, grade_item.choice(grade).tier))
    if pack.bands:
        band = band_for(pack, total)
        fallback = Prompt("grade-missing", f"No {grade_item.label.lower()} is recorded: the tier comes from the yes-count.", (grade_item.id,))
        return result(pack, read, score=total, band=band.id, tier=capped(pack, band.tier), prompts=[fallback, *band_prompt(band)])
    missing_grade = Prompt("grade-missing", f"No {grade_item.label.lower()} is recorded, so there is no tier.", (grade_item.id,))
    return result(pack, read, score=total, band=None, tier=None, prompts=[missing_grade])


METHODS = {
    "count": score_by_count,
    "weighted": score_by_weight,
    "lap-screen": score_lap_screen,
    "spj": score_spj,
    "grade": score_grade,
}
