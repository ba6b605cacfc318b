"""Precision, recall and speed of risk.matching.find_matches against 5,000 invented people.

Run from the repository root: .venv/bin/python -m bench.matching_quality [--people 5000]
The people and their noisy repeat referrals come from the quality test in tests/risk/test_matching.py.
"""

import argparse
import random
import time

from risk.matching import DEFAULT_THRESHOLD, find_matches, prepare
from tests.risk.test_matching import invent_test_set, measure_quality


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=5000)
    parser.add_argument("--referrals", type=int, default=500, help="repeat referrals checked (a sample)")
    parser.add_argument("--new", type=int, default=200, help="genuinely new people checked")
    parser.add_argument("--seed", type=int, default=20261122)
    options = parser.parse_args()

    people, referrals, strangers = invent_test_set(options.seed, options.people, options.new)
    referrals = random.Random(options.seed).sample(referrals, min(options.referrals, len(referrals)))

    prepare.cache_clear()
    started = time.perf_counter()
    find_matches(referrals[0], people)
    first_call = time.perf_counter() - started

    started = time.perf_counter()
    quality = measure_quality(people, referrals, strangers)
    calls = len(referrals) + len(strangers)
    per_call = (time.perf_counter() - started) / calls

    print(f"{options.people} existing people, {len(referrals)} repeat referrals, {len(strangers)} new people")
    print(f"threshold {DEFAULT_THRESHOLD}: precision {quality['precision']:.3f}, recall {quality['recall']:.3f}")
    print(f"  {quality['found']} repeat referrals found, {quality['wrong']} wrong suggestions")
    print(f"first call (reads every record): {first_call * 1000:.0f} ms")
    print(f"each later call ({calls} calls): {per_call * 1000:.1f} ms")


if __name__ == "__main__":
    main()
