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


def measure(assessments: int = 20_000, seed: int = 20261129) -> dict[str, tuple[int, float]]:
    """For each pack id: (its number of items, assessments scored per second)."""
    rng, rates = random.Random(seed), {}
    for pack in sorted(load_all_packs().values(), key=lambda pack: pack.id):
        answers = [random_answers(pack, rng) for _ in range(assessments)]
        started = time.perf_counter()
        for one in answers:
            score(pack, one)
        rates[pack.id] = (len(pack.items), assessments / (time.perf_counter() - started))
    return rates


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assessments", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=20261129)
    options = parser.parse_args()

    print(f"{'tool':<20} {'items':>5} {'assessments/s':>14} {'µs each':>8}")
    for pack_id, (items, rate) in measure(options.assessments, options.seed).items():
        print(f"{pack_id:<20} {items:>5} {rate:>14,.0f} {1e6 / rate:>8.1f}")


if __name__ == "__main__":
    main()
