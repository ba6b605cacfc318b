"""The password policy: 12-128 characters, not a common password, not built from a word linked to the
service or to the person. Plain Python, so forms can check a new password without the hashing."""

import gzip
import re
from functools import lru_cache
from pathlib import Path

MIN_LENGTH = 12
MAX_LENGTH = 128
DENY_LIST_PATH = Path(__file__).parent / "data" / "common-passwords.txt.gz"
CONTEXT_WORDS = frozenset({"marac", "safelives", "idva", "dash", "police", "nhs", "council", "password", "toolkit"})


class PasswordRejected(ValueError):
    """The message says what the person should do instead."""


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    with gzip.open(DENY_LIST_PATH, "rt", encoding="utf-8") as lines:
        return frozenset(line.strip() for line in lines if line.strip())


def check_password_policy(password: str, extra_words: tuple[str, ...] = ()) -> None:
    if len(password) < MIN_LENGTH:
        raise PasswordRejected(f"Enter a password of at least {MIN_LENGTH} characters")
    if len(password) > MAX_LENGTH:
        raise PasswordRejected(f"Enter a password of {MAX_LENGTH} characters or fewer")
    if is_guessable(password, extra_words):
        raise PasswordRejected(
            "Choose a password that is harder to guess: this one is common or built from a "
            "word linked to this service. A few unrelated words together work well"
        )


def is_guessable(password: str, extra_words: tuple[str, ...] = ()) -> bool:
    lowered = password.lower()
    core = re.sub(r"^[^a-z]+|[^a-z]+$", "", lowered)
    words = CONTEXT_WORDS | {word.lower() for word in extra_words if len(word) >= 3}
    denied = common_passwords()
    return (
        lowered in denied
        or core in denied
        or core in words
        or len(set(lowered)) < 4
        or is_repetition_of(core, denied | words)
    )


def is_repetition_of(text: str, words: frozenset[str] | set[str]) -> bool:
    for size in range(1, len(text) // 2 + 1):
        unit = text[:size]
        if len(text) % size == 0 and unit * (len(text) // size) == text:
            return len(unit) < 4 or unit in words
    return False


def context_words_for(user) -> tuple[str, ...]:
    """Words a user's password must not be built from: their name, their agency's, their e-mail's first part."""
    return tuple(user.name.split()) + tuple(user.agency.name.split()) + (user.email.split("@")[0],)
