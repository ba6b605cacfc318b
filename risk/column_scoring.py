"""Scoring a whole file of answers at once, column by column, for a bulk import: the same results as
risk.scoring.score gives row by row (tests/risk/test_column_scoring.py holds them equal).

Tools that count yes answers (DASH RIC, S-DASH, DA-5, ODARA) are scored over the frame: each item's
column is read once into yes and unanswered flags, and a row's score, missing items and
factors come from those flags. Every other tool, and any answer the count cannot read, is scored by
risk.scoring itself, once per distinct pattern of answers.
"""

from collections.abc import Mapping, Sequence

import numpy

from risk.answers import UNANSWERED, Answer
from risk.instruments import Item, Pack
from risk.schema import RiskResult
from risk.scoring import (
    band_for,
    band_prompt,
    capped,
    expected_items,
    missing_answer_prompts,
    score,
    unverified_rule,
    unverified_source,
    yes_prompt,
)

# Bits of a 64-bit integer, one per item, name the items a row has in common with others.
MOST_ITEMS_IN_A_MASK = 62
BLANK = ""
UNANSWERED_VALUES = [BLANK, *(answer.value for answer in UNANSWERED)]
KNOWN_YES_NO = {BLANK, *(answer.value for answer in Answer)}


def score_columns(pack: Pack, answers: Mapping[str, Sequence[str]], rows: int) -> list[RiskResult]:
    """One result per row. `answers` maps item id to that item's answers, one per row, as the web form
    stores them ("" where the cell was blank); an item with no column counts as not asked."""
    if not counts_yes_answers(pack) or not readable_by_count(pack, answers):
        return score_each_pattern(pack, answers, rows)
    return CountScorer(pack).score(answers, rows)


def counts_yes_answers(pack: Pack) -> bool:
    return (
        pack.scoring.method == "count"
        and len(pack.items) <= MOST_ITEMS_IN_A_MASK
        and all(item.answer_type == "yes-no" and item.effect is None for item in pack.items)
    )


def readable_by_count(pack: Pack, answers: Mapping[str, Sequence[str]]) -> bool:
    """Every answer is a stored yes/no value, and "not applicable" only where the pack allows it:
    anything else goes to risk.scoring, which refuses it as it always has."""
    items = pack.items_by_id()
    for item_id, column in answers.items():
        distinct = set(column)
        if item_id not in items or not distinct <= KNOWN_YES_NO:
            return False
        if Answer.NOT_APPLICABLE.value in distinct and not items[item_id].may_be_not_applicable:
            return False
    return True


def score_each_pattern(pack: Pack, answers: Mapping[str, Sequence[str]], rows: int) -> list[RiskResult]:
    item_ids = list(answers)
    patterns = zip(*answers.values()) if item_ids else [()] * rows
    scored: dict[tuple, RiskResult] = {}
    results = []
    for pattern in patterns:
        if pattern not in scored:
            scored[pattern] = score(pack, {item_id: value for item_id, value in zip(item_ids, pattern) if value})
        results.append(scored[pattern])
    return results


class CountScorer:
    """score_by_count over columns: the score is the yes answers to the scored items; what differs
    between rows is held in four numbers, and each distinct four is made into a RiskResult once."""

    def __init__(self, pack: Pack):
        self.pack = pack
        self.items: tuple[Item, ...] = pack.items
        self.bits = numpy.left_shift(numpy.int64(1), numpy.arange(len(self.items), dtype=numpy.int64))
        expected = {item.id for item in expected_items(pack)}
        self.expected = numpy.array([item.id in expected for item in self.items])
        self.scored = numpy.array([item.scored for item in self.items])
        self.shows_factor = numpy.array([bool(item.factors) for item in self.items])
        self.has_yes_prompt = numpy.array([item.prompt_if_yes is not None for item in self.items])
        # The items each byte of a mask can name, so a row's items are found eight at a time.
        self.items_by_byte = [
            [
                tuple(item for bit, item in enumerate(self.items[start : start + 8]) if value >> bit & 1)
                for value in range(256)
            ]
            for start in range(0, len(self.items), 8)
        ]
        self.by_score = {total: self.score_parts(total) for total in range(len(pack.scored_items) + 1)}
        # Rows share missing items and factors far more often than whole results.
        self.by_missing: dict[int, tuple] = {}
        self.by_factors: dict[int, dict] = {}

    def score_parts(self, total: int) -> tuple:
        """What a score alone decides: its band's id, the tier, and the prompts that come before the data's own."""
        pack = self.pack
        band = band_for(pack, total)
        prompts = (*unverified_source(pack), *unverified_rule(pack, pack.scoring.rule), *band_prompt(band))
        return band.id, capped(pack, band.tier), prompts

    def score(self, answers: Mapping[str, Sequence[str]], rows: int) -> list[RiskResult]:
        # With no item effects (counts_yes_answers), "not applicable" leaves out only the item it answers,
        # which is then neither a yes nor missing: the two flags below already say all that counts.
        yes, unanswered = self.flags(answers, rows)
        keys = numpy.column_stack(
            [
                (yes & self.scored).sum(axis=1),
                self.mask(unanswered & self.expected),
                self.mask(yes & self.shows_factor),
                self.mask(yes & self.has_yes_prompt),
            ]
        )
        distinct, which = numpy.unique(keys, axis=0, return_inverse=True)
        made = [self.result(*(int(number) for number in key)) for key in distinct]
        return [made[index] for index in which.reshape(-1).tolist()]

    def flags(self, answers: Mapping[str, Sequence[str]], rows: int):
        shape = (rows, len(self.items))
        yes, unanswered = numpy.zeros(shape, dtype=bool), numpy.ones(shape, dtype=bool)
        for position, item in enumerate(self.items):
            if item.id in answers:
                column = numpy.asarray(answers[item.id], dtype=object)
                yes[:, position] = column == Answer.YES.value
                unanswered[:, position] = numpy.isin(column, UNANSWERED_VALUES)
        return yes, unanswered

    def mask(self, flags) -> numpy.ndarray:
        return flags.astype(numpy.int64) @ self.bits

    def chosen(self, mask: int) -> tuple[Item, ...]:
        found = ()
        for table in self.items_by_byte:
            if mask & 0xFF:
                found += table[mask & 0xFF]
            mask >>= 8
        return found

    def result(self, total: int, missing_mask: int, factor_mask: int, prompt_mask: int) -> RiskResult:
        pack = self.pack
        band_id, tier, score_prompts = self.by_score[total]
        if missing_mask not in self.by_missing:
            missing = tuple(item.id for item in self.chosen(missing_mask))
            self.by_missing[missing_mask] = missing, tuple(missing_answer_prompts(pack, missing))
        missing, missing_prompts = self.by_missing[missing_mask]
        if factor_mask not in self.by_factors:
            self.by_factors[factor_mask] = self.factors(factor_mask)
        prompts = (*score_prompts, *missing_prompts, *(yes_prompt(item) for item in self.chosen(prompt_mask)))
        return RiskResult(
            tool=pack.id,
            version=pack.version,
            score=total,
            max_score=pack.max_score,
            band=band_id,
            tier=tier,
            factors=self.by_factors[factor_mask],
            missing=missing,
            prompts=prompts,
        )

    def factors(self, mask: int) -> dict[str, tuple[str, ...]]:
        evidence: dict[str, list[str]] = {}
        for item in self.chosen(mask):
            for factor in item.factors:
                evidence.setdefault(factor, []).append(item.id)
        return {factor: tuple(item_ids) for factor, item_ids in evidence.items()}
