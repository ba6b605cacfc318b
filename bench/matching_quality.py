"""Precision, recall and speed of person matching: risk.matching.find_matches against 5,000 invented people
(comparing with everyone, and with only the people sharing a blocking key, as the database picks them), then,
with --postgres, searches through the real store and matcher among 1,000,000 invented people in PostgreSQL
(issue 20's aim: a search p95 <= 100 ms).

Run from the repository root:
    .venv/bin/python -m bench.matching_quality [--people 5000] [--postgres URL [--at-scale 1000000] [--searches 300]]
With --postgres a scratch database is created beside that one (the role needs CREATEDB) and dropped afterwards;
the people and their keys are loaded with COPY. The people and their noisy repeat referrals come from the
quality test in tests/risk/test_matching.py; a search is a repeat referral of someone held or a new person.
"""

import argparse
import json
import random
import statistics
import time
from datetime import UTC, datetime

import psycopg

from bench.import_dash import postgres_database
from bench.load import DEFAULT_POSTGRES
from cases import journey
from cases import store as cases_store
from cases.models import keys_of_columns
from extensions import db
from risk.matching import DEFAULT_THRESHOLD, PersonRecord, find_matches, prepare, search_keys
from tests.conftest import build_test_app, migrate_to_head
from tests.risk.test_matching import by_blocking_keys, invent_people, invent_test_set, measure_quality, new_referral_of

AIM_P95_MS = 100
SEARCH_AT_SCALE = 1_000_000


def quality(people_count: int, referral_count: int, new_count: int, seed: int) -> dict:
    people, referrals, strangers = invent_test_set(seed, people_count, new_count)
    referrals = random.Random(seed).sample(referrals, min(referral_count, len(referrals)))

    prepare.cache_clear()
    started = time.perf_counter()
    find_matches(referrals[0], people)
    first_call = time.perf_counter() - started

    started = time.perf_counter()
    everyone = measure_quality(people, referrals, strangers)
    per_call = (time.perf_counter() - started) / (len(referrals) + len(strangers))
    blocked = measure_quality(people, referrals, strangers, by_blocking_keys(people))
    return {
        "people": people_count,
        "referrals": len(referrals),
        "new": len(strangers),
        "everyone": everyone,
        "blocked": blocked,
        "first call s": first_call,
        "per call s": per_call,
    }


# At scale, in PostgreSQL


def person_columns(record: PersonRecord, agency_id: int, now: datetime) -> dict:
    given, _, family = record.names[0].partition(" ")
    return {
        "id": record.id,
        "given_name": given,
        "family_name": family,
        "aliases": list(record.names[1:]),
        "date_of_birth": record.dates_of_birth[0],
        "date_of_birth_variants": list(record.dates_of_birth[1:]),
        "postcode": record.postcodes[0],
        "interpreter_needed": False,
        "created_by_agency_id": agency_id,
        "created_at": now,
    }


PERSON_COPY = (
    "COPY person (id, given_name, family_name, aliases, date_of_birth, date_of_birth_variants, postcode, "
    "interpreter_needed, created_by_agency_id, created_at) FROM STDIN"
)
# Indexes are built once after the load, as a restore does: far quicker than keeping them up row by row.
WITHOUT_KEY_INDEXES = [
    "ALTER TABLE person_match_key DROP CONSTRAINT fk_person_match_key_person_id_person",
    "ALTER TABLE person_match_key DROP CONSTRAINT pk_person_match_key",
    "DROP INDEX ix_person_match_key_person_id",
]
WITH_KEY_INDEXES = [
    "ALTER TABLE person_match_key ADD CONSTRAINT pk_person_match_key PRIMARY KEY (key, person_id)",
    "CREATE INDEX ix_person_match_key_person_id ON person_match_key (person_id)",
    "ALTER TABLE person_match_key ADD CONSTRAINT fk_person_match_key_person_id_person FOREIGN KEY (person_id) "
    "REFERENCES person (id) ON DELETE CASCADE",
]


def load(url: str, people: list[PersonRecord]) -> int:
    """The people and their keys (worked out by the app's own keys_of_columns, as an import does), by COPY."""
    now, keys = datetime.now(UTC), 0
    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as connection:
        agency_id = connection.execute(
            "INSERT INTO agency (name, kind, created_at) VALUES ('Bench Police', 'police', now()) RETURNING id"
        ).fetchone()[0]
        for statement in WITHOUT_KEY_INDEXES:
            connection.execute(statement)
        with connection.cursor() as cursor:
            with cursor.copy(PERSON_COPY) as person_copy:
                rows = [person_columns(record, agency_id, now) for record in people]
                for row in rows:
                    row = row | {name: json.dumps(row[name]) for name in ("aliases", "date_of_birth_variants")}
                    person_copy.write_row(list(row.values()))
            with cursor.copy("COPY person_match_key (key, person_id) FROM STDIN") as key_copy:
                for row in rows:
                    for key in keys_of_columns(row):
                        key_copy.write_row((key, row["id"]))
                        keys += 1
        for statement in WITH_KEY_INDEXES:
            connection.execute(statement)
        connection.commit()
        connection.autocommit = True
        connection.execute("VACUUM ANALYZE person, person_match_key")
    return keys


def search(record: PersonRecord) -> tuple[float, int]:
    """One search as the journey makes it (journey.suggest_people): the keys looked up, the people read, compared,
    and those suggested read whole."""
    started = time.perf_counter()
    candidates = cases_store.match_records_sharing_keys(search_keys(record))
    journey.people_suggested(record, candidates)
    elapsed = time.perf_counter() - started
    db.session.expunge_all()  # each search starts as a new request's would, with nothing read yet
    return elapsed, len(candidates)


def percentile(values: list[float], share: float) -> float:
    return statistics.quantiles(values, n=100)[round(share * 100) - 1] if len(values) > 1 else values[0]


def at_scale(postgres: str, people_count: int, searches: int, seed: int) -> dict:
    rng = random.Random(seed)
    started = time.perf_counter()
    people = invent_people(rng, people_count)
    strangers = invent_people(rng, max(searches // 4, 1), prefix="new")
    invented = time.perf_counter() - started
    with postgres_database(postgres) as url:
        migrate_to_head(url)
        started = time.perf_counter()
        keys = load(url, people)
        loaded = time.perf_counter() - started
        wanted = [new_referral_of(rng, person) for person in rng.sample(people, searches - len(strangers))]
        wanted += strangers
        rng.shuffle(wanted)
        names_only = [PersonRecord(f"name-{n}", record.names[:1]) for n, record in enumerate(wanted[:50])]
        prepare.cache_clear()
        with build_test_app(url) as app, app.app_context():
            search(wanted[0])  # the first connection and the app's own warming up are not a search
            timed = [search(record) for record in wanted]
            by_name = [search(record) for record in names_only]
    times = [seconds for seconds, _ in timed]
    sizes = [size for _, size in timed]
    return {
        "people": people_count,
        "keys": keys,
        "invent s": invented,
        "load s": loaded,
        "searches": len(times),
        "p50 ms": percentile(times, 0.5) * 1000,
        "p95 ms": percentile(times, 0.95) * 1000,
        "candidates p50": percentile(sizes, 0.5),
        "candidates p95": percentile(sizes, 0.95),
        "name only searches": len(by_name),
        "name only p95 ms": percentile([seconds for seconds, _ in by_name], 0.95) * 1000,
        "name only candidates p95": percentile([size for _, size in by_name], 0.95),
    }


def measure(
    people: int = 5000,
    referrals: int = 500,
    new: int = 200,
    seed: int = 20261122,
    postgres: str | None = DEFAULT_POSTGRES,
    scale: int = SEARCH_AT_SCALE,
    searches: int = 300,
) -> dict:
    figures = quality(people, referrals, new, seed)
    if postgres:
        figures["at scale"] = at_scale(postgres, scale, searches, seed)
    return figures


def report(figures: dict) -> None:
    everyone, blocked = figures["everyone"], figures["blocked"]
    print(f"{figures['people']} existing people, {figures['referrals']} repeat referrals, {figures['new']} new people")
    print(f"threshold {DEFAULT_THRESHOLD}: precision {everyone['precision']:.3f}, recall {everyone['recall']:.3f}")
    print(f"  {everyone['found']} repeat referrals found, {everyone['wrong']} wrong suggestions")
    print(
        f"only people sharing a blocking key: precision {blocked['precision']:.3f}, recall {blocked['recall']:.3f} "
        f"({blocked['found']} found, {blocked['wrong']} wrong)"
    )
    print(f"first call (reads every record): {figures['first call s'] * 1000:.0f} ms")
    print(f"each later call, comparing with everyone: {figures['per call s'] * 1000:.1f} ms")
    if scale := figures.get("at scale"):
        print(
            f"PostgreSQL, {scale['people']:,} people, {scale['keys']:,} keys: invented in {scale['invent s']:.0f} s, "
            f"loaded with COPY and indexed in {scale['load s']:.0f} s"
        )
        print(
            f"  {scale['searches']} searches: p50 {scale['p50 ms']:.1f} ms, p95 {scale['p95 ms']:.1f} ms "
            f"(aim p95 <= {AIM_P95_MS} ms); people compared p50 {scale['candidates p50']:.0f}, "
            f"p95 {scale['candidates p95']:.0f}"
        )
        print(
            f"  {scale['name only searches']} searches by name alone: p95 {scale['name only p95 ms']:.1f} ms, "
            f"people compared p95 {scale['name only candidates p95']:.0f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=5000)
    parser.add_argument("--referrals", type=int, default=500, help="repeat referrals checked (a sample)")
    parser.add_argument("--new", type=int, default=200, help="genuinely new people checked")
    parser.add_argument("--seed", type=int, default=20261122)
    parser.add_argument("--postgres", help="time searches at scale in a scratch database beside this one")
    parser.add_argument("--at-scale", type=int, default=SEARCH_AT_SCALE, help="people stored for the timed searches")
    parser.add_argument("--searches", type=int, default=300)
    options = parser.parse_args()
    report(
        measure(
            options.people,
            options.referrals,
            options.new,
            options.seed,
            options.postgres,
            options.at_scale,
            options.searches,
        )
    )


if __name__ == "__main__":
    main()
