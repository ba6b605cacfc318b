"""One answer vocabulary for every tool, and the function that reads what agencies send into it.

Only "yes" ever scores. Unknown, declined and not-asked are kept as they are, never turned into
"no", so that the score cannot look lower than it is without saying so.
"""

from enum import StrEnum


class Answer(StrEnum):
    YES = "yes"
    NO = "no"
    UNKNOWN = "unknown"
    DECLINED = "declined"
    NOT_ASKED = "not-asked"
    NOT_APPLICABLE = "not-applicable"


class Rating(StrEnum):
    ABSENT = "absent"
    POSSIBLE = "possible"
    PRESENT = "present"


UNANSWERED = frozenset({Answer.UNKNOWN, Answer.DECLINED, Answer.NOT_ASKED})

# How each answer reads on a page: offered on the forms, shown on the result.
ANSWER_LABELS = {
    Answer.YES: "Yes",
    Answer.NO: "No",
    Answer.UNKNOWN: "Don't know",
    Answer.DECLINED: "Declined to answer",
    Answer.NOT_ASKED: "Not asked",
    Answer.NOT_APPLICABLE: "Not applicable",
}
RATING_LABELS = {Rating.ABSENT: "Absent", Rating.POSSIBLE: "Possibly present", Rating.PRESENT: "Present"}
NOT_ANSWERED = "Not answered"


class AnswerError(ValueError):
    """An answer that cannot be read; the message names the item and what would be accepted."""


YES_NO_SPELLINGS = {
    Answer.YES: {"yes", "y", "1", "true", "t", "ticked"},
    Answer.NO: {"no", "n", "0", "false", "f"},
    Answer.UNKNOWN: {"unknown", "don't know", "dont know", "do not know", "dk", "not known", "don’t know"},
    Answer.DECLINED: {"declined", "refused", "declined to answer"},
    Answer.NOT_ASKED: {"not-asked", "not asked", ""},
    Answer.NOT_APPLICABLE: {"not-applicable", "not applicable", "n/a"},
}
YES_NO_LOOKUP = {spelling: answer for answer, spellings in YES_NO_SPELLINGS.items() for spelling in spellings}
YES_NO_HELP = "yes, no, unknown (don't know), declined, not-asked or not-applicable"

RATING_SPELLINGS = {
    Rating.ABSENT: {"absent", "n", "no", "0"},
    Rating.POSSIBLE: {"possible", "partial", "partially present", "p", "?", "1"},
    Rating.PRESENT: {"present", "y", "yes", "2"},
}
RATING_LOOKUP = {spelling: rating for rating, spellings in RATING_SPELLINGS.items() for spelling in spellings}
RATING_HELP = "absent, possible or present (or N, P, Y); or unknown, declined or not-asked if there is no rating"


def spelling_of(raw) -> str | None:
    """The answer as lower-case text, or None for a value no spelling can match."""
    if raw is None:
        return ""
    if isinstance(raw, bool):
        return "true" if raw else "false"
    if isinstance(raw, int) and not isinstance(raw, bool):
        return str(raw)
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    if isinstance(raw, str):
        return " ".join(raw.strip().lower().split())
    return None


def read_yes_no(item_id: str, raw) -> Answer:
    answer = YES_NO_LOOKUP.get(spelling_of(raw))
    if answer is None:
        raise AnswerError(f"{item_id}: {describe(raw)} is not an answer; use {YES_NO_HELP}")
    return answer


def is_unanswered(spelling: str | None) -> bool:
    return YES_NO_LOOKUP.get(spelling) in UNANSWERED


def read_rating(item_id: str, raw) -> Rating | None:
    spelling = spelling_of(raw)
    if is_unanswered(spelling):
        return None
    rating = RATING_LOOKUP.get(spelling)
    if rating is None:
        raise AnswerError(f"{item_id}: {describe(raw)} is not a rating; use {RATING_HELP}")
    return rating


def read_choice(item_id: str, raw, choices) -> str | None:
    spelling = spelling_of(raw)
    if is_unanswered(spelling):
        return None
    for choice in choices:
        if spelling in {choice.id, choice.label.lower(), *(alias.lower() for alias in choice.aliases)}:
            return choice.id
    accepted = ", ".join(choice.id for choice in choices)
    raise AnswerError(f"{item_id}: {describe(raw)} is not one of the choices; use {accepted}")


def describe(raw) -> str:
    text = repr(raw)
    return text if len(text) <= 40 else text[:37] + "..."
