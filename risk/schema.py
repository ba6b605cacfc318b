"""The common scoring schema: 32 common risk factors, a 4-tier level, and the one result shape
(RiskResult) that every tool scores into and that the rest of the system reads."""

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import IntEnum
from types import MappingProxyType


class Tier(IntEnum):
    STANDARD = 1
    MEDIUM = 2
    HIGH = 3
    VERY_HIGH = 4

    @property
    def label(self) -> str:
        return {1: "Standard", 2: "Medium", 3: "High", 4: "Very high"}[self.value]


@dataclass(frozen=True)
class CommonFactor:
    id: str
    name: str
    serious: bool


COMMON_FACTORS = tuple(
    CommonFactor(factor_id, name, serious)
    for factor_id, name, serious in (
        ("CF01", "Physical violence or injury", False),
        ("CF02", "Victim's fear or sense of lethal risk", True),
        ("CF03", "Victim vulnerability and barriers to support", False),
        ("CF04", "Victim's mental health or suicidality", False),
        ("CF05", "Separation", True),
        ("CF06", "Conflict over child contact", False),
        ("CF07", "Stalking, harassment or surveillance", True),
        ("CF08", "Pregnancy or a new baby", True),
        ("CF09", "Children or dependants not the perpetrator's", False),
        ("CF10", "Harm or threats to children or dependants", True),
        ("CF11", "Escalation in frequency", True),
        ("CF12", "Escalation in severity", True),
        ("CF13", "Coercive control, jealousy or isolation", True),
        ("CF14", "Weapon used or threatened", True),
        ("CF15", "Access to firearms", True),
        ("CF16", "Threats to kill", True),
        ("CF17", "Strangulation or suffocation", True),
        ("CF18", "Sexual violence", True),
        ("CF19", "Third parties or several perpetrators", False),
        ("CF20", "Perpetrator's violence to others", False),
        ("CF21", "Abuse of animals", False),
        ("CF22", "Economic abuse or financial strain", False),
        ("CF23", "Perpetrator's substance misuse", False),
        ("CF24", "Perpetrator's mental health problems", False),
        ("CF25", "Perpetrator's suicidal or homicidal thoughts", True),
        ("CF26", "Breach of orders, bail or conditions", False),
        ("CF27", "Criminal or domestic abuse history", False),
        ("CF28", "Confinement or restriction of liberty", True),
        ("CF29", "Attitudes that support violence, or minimising it", False),
        ("CF30", "Honour-based abuse or forced marriage", True),
        ("CF31", "Critical change events", False),
        ("CF32", "Frequency of incidents", False),
    )
)
FACTORS_BY_ID = MappingProxyType({factor.id: factor for factor in COMMON_FACTORS})
SERIOUS_FACTOR_IDS = frozenset(factor.id for factor in COMMON_FACTORS if factor.serious)


def natural_key(item_id: str) -> tuple:
    """q2 before q10, q3 before q3a."""
    parts = re.findall(r"[0-9]+|[^0-9]+", item_id)
    return tuple((0, int(part), "") if part[0] in "0123456789" else (1, 0, part) for part in parts)


@dataclass(frozen=True)
class Prompt:
    code: str
    message: str
    items: tuple[str, ...] = ()

    def to_dict(self) -> dict:
        return {"code": self.code, "message": self.message, "items": list(self.items)}

    @classmethod
    def from_dict(cls, data: Mapping) -> "Prompt":
        return cls(code=data["code"], message=data["message"], items=tuple(data["items"]))


UNVERIFIED_PROMPT_CODES = frozenset({"rule-unverified", "band-unverified"})


@dataclass(frozen=True)
class RiskResult:
    tool: str
    version: str
    score: float
    max_score: float
    band: str | None
    tier: Tier | None
    # Each common factor found, with the items (in the pack's order) that show it.
    factors: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    missing: tuple[str, ...] = ()
    prompts: tuple[Prompt, ...] = ()

    def __post_init__(self):
        object.__setattr__(self, "factors", MappingProxyType(dict(self.factors)))

    @property
    def advice(self) -> tuple[Prompt, ...]:
        """The prompts that ask the reader to do or consider something, apart from the unchecked rules."""
        return tuple(prompt for prompt in self.prompts if prompt.code not in UNVERIFIED_PROMPT_CODES)

    @property
    def unverified(self) -> tuple[str, ...]:
        """The unchecked rules this result relies on, in words."""
        return tuple(prompt.message for prompt in self.prompts if prompt.code in UNVERIFIED_PROMPT_CODES)

    def to_dict(self) -> dict:
        return {
            "tool": self.tool,
            "version": self.version,
            "score": self.score,
            "max_score": self.max_score,
            "band": self.band,
            "tier": None if self.tier is None else int(self.tier),
            "factors": sorted(self.factors),
            "missing": sorted(self.missing, key=natural_key),
            "prompts": [prompt.to_dict() for prompt in self.prompts],
        }

    def to_stored(self) -> dict:
        """The shape an assessment keeps: to_dict() with the items behind each factor. Missing items keep
        the result's own order (to_dict() sorts them for reading) so that from_stored() gives back an
        equal result."""
        return self.to_dict() | {
            "missing": list(self.missing),
            "factor_items": {factor: list(items) for factor, items in self.factors.items()},
        }

    @classmethod
    def from_stored(cls, data: Mapping) -> "RiskResult":
        """Reads to_stored()'s shape, as every stored assessment result has it."""
        return cls(
            tool=data["tool"],
            version=data["version"],
            score=data["score"],
            max_score=data["max_score"],
            band=data["band"],
            tier=None if data["tier"] is None else Tier(data["tier"]),
            factors={factor: tuple(items) for factor, items in data["factor_items"].items()},
            missing=tuple(data["missing"]),
            prompts=tuple(Prompt.from_dict(prompt) for prompt in data["prompts"]),
        )
