import random

import pytest

from access.password_policy import (
    MAX_LENGTH,
    MIN_LENGTH,
    PasswordRejected,
    check_password_policy,
    common_passwords,
)
from access.passwords import make_hasher

STRONG = "lantern orbit walnut fiddle"


@pytest.mark.parametrize(
    ("length", "accepted"),
    [(MIN_LENGTH - 1, False), (MIN_LENGTH, True), (MAX_LENGTH, True), (MAX_LENGTH + 1, False)],
)
def test_length_limits(length, accepted):
    password = (STRONG * 10)[:length]

    if accepted:
        check_password_policy(password)
    else:
        with pytest.raises(PasswordRejected, match="characters"):
            check_password_policy(password)


@pytest.mark.parametrize(
    "password",
    [
        "Marac2026!!!!",
        "marac2026!!!",
        "SafeLives2026",
        "POLICE123456",
        "passwordpassword",
        "aaaaaaaaaaaa",
        "abcabcabcabc",
        "123qweasdzxc",
        "1q2w3e4r5t6y",
        "1234567890qwertyuiop",
        "!!Council2026!!",
    ],
)
def test_common_and_service_words_are_refused(password):
    with pytest.raises(PasswordRejected, match="harder to guess"):
        check_password_policy(password)


def test_a_sample_of_the_bundled_list_is_refused_in_any_case():
    long_entries = sorted(entry for entry in common_passwords() if len(entry) >= MIN_LENGTH)
    for entry in random.Random(7).sample(long_entries, min(100, len(long_entries))):
        with pytest.raises(PasswordRejected):
            check_password_policy(entry.upper())


def test_the_bundled_list_has_at_least_ten_thousand_entries():
    assert len(common_passwords()) >= 10_000


def test_the_person_s_own_name_and_agency_are_refused():
    with pytest.raises(PasswordRejected):
        check_password_policy("Northshire2026!", extra_words=("Northshire", "Police"))


def test_a_password_is_checked_exactly_as_typed_with_no_trimming(client, make_user):
    make_user(password=f"  {STRONG}  ")

    def sign_in_with(password):
        return client.post(client.url("access.sign_in"), data={"email": "worker@example.org", "password": password})

    assert sign_in_with(STRONG).status_code == 200
    assert sign_in_with(f"  {STRONG.upper()}  ").status_code == 200
    assert sign_in_with(f"  {STRONG}  ").status_code == 302


def test_stored_hashes_are_argon2id():
    hasher = make_hasher({"time_cost": 3, "memory_cost": 65536, "parallelism": 4})

    assert hasher.hash(STRONG).startswith("$argon2id$v=19$m=65536,t=3,p=4$")
