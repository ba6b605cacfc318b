"""Scoring throughput: assessments per second for each tool pack, through risk.scoring.score.

Run from the repository root: .venv/bin/python -m bench.scoring [--assessments 20000]
Answers are random but valid for each item's type, so every pack's rules are exercised.
"""

import argparse
import random
import time

from risk.instruments import load_all_packs
from risk.scoring import score

ANSWERS = {"yes-no": ("yes", "no", "unknown", ""), "rating": ("absent", "possible", "present")}


def random_answers(pack, rng: random.Random) -> dict:
    answers = {}
    for item in pack.items:
        choices = ANSWERS.get(item.answer_type) or tuple(choice.id for choice in item.choices)
        answers[item.id] = rng.choice(choices)
    return answers


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assessments", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=20261129)
    options = parser.parse_args()
    rng = random.Random(options.seed)

    print(f"{'tool':<20} {'items':>5} {'assessments/s':>14} {'µs each':>8}")
    for pack in sorted(load_all_packs().values(), key=lambda pack: pack.id):
        answers = [random_answers(pack, rng) for _ in range(options.assessments)]
        started = time.perf_counter()
        for one in answers:
            score(pack, one)
        seconds = time.perf_counter() - started
        print(f"{pack.id:<20} {len(pack.items):>5} {options.assessments / seconds:>14,.0f} {seconds / options.assessments * 1e6:>8.1f}")


if __name__ == "__main__":
    main()
