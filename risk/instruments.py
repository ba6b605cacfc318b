"""Tool packs: one JSON file per risk tool in risk/instruments/, validated on load against
pack.schema.json and a few cross-checks, and turned into frozen dataclasses.

A weighted tool (the Danger Assessment) ships without weights: they may only come from the tool's
licensed scoring sheet, which a site installs as a table of its own in the licensed folder
(MARAC_LICENSED_TABLES, or instance/licensed/), checked against licensed-table.schema.json.
"""

import json
import os
from dataclasses import dataclass, replace
from functools import cached_property, lru_cache
from pathlib import Path

import jsonschema

from risk.answers import ANSWER_LABELS, NOT_ANSWERED, RATING_LABELS
from risk.schema import FACTORS_BY_ID

PACK_DIRECTORY = Path(__file__).parent / "instruments"
SCHEMA_PATH = PACK_DIRECTORY / "pack.schema.json"
LICENSED_SCHEMA_PATH = PACK_DIRECTORY / "licensed-table.schema.json"
LICENSED_FOLDER_VARIABLE = "MARAC_LICENSED_TABLES"
DEFAULT_LICENSED_FOLDER = Path(__file__).parent.parent / "instance" / "licensed"


class PackError(ValueError):
    """A pack file that is not valid; the message names the file and the problem."""


@dataclass(frozen=True)
class RuleNote:
    verified: bool
    basis: str


@dataclass(frozen=True)
class Choice:
    id: str
    label: str
    tier: int | None = None
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class ItemPrompt:
    code: str
    message: str


@dataclass(frozen=True)
class Item:
    id: str
    label: str
    answer_type: str
    factors: tuple[str, ...]
    scored: bool
    weight: float | None = None
    parent: str | None = None
    effect: str | None = None
    choices: tuple[Choice, ...] = ()
    prompt_if_yes: ItemPrompt | None = None
    may_be_not_applicable: bool = False

    def choice(self, choice_id: str) -> Choice:
        return next(choice for choice in self.choices if choice.id == choice_id)

    # Items never change once loaded, and a case's history asks these of every answer of every assessment (thousands
    # on the page of a victim assessed a hundred times), so each is worked out once.
    @cached_property
    def number(self) -> str | None:
        """The tool's own number for the item ("Q3A"), where it has one."""
        return self.id.upper() if self.id[1:2].isdigit() else None

    @cached_property
    def numbered_label(self) -> str:
        """The item as the form and the case's history ask it: "Q3. …" where the tool numbers it."""
        return f"{self.number}. {self.label}" if self.number else self.label

    @cached_property
    def _answer_labels(self) -> dict[str, str]:
        return {choice.id: choice.label for choice in self.choices} | ANSWER_LABELS | RATING_LABELS

    def answer_label(self, answer: str | None) -> str:
        """An answer as kept, in the words the form offered it in."""
        if not answer:
            return NOT_ANSWERED
        return self._answer_labels.get(answer, answer)


@dataclass(frozen=True)
class Band:
    id: str
    label: str
    tier: int | None
    rule: RuleNote
    min: float | None = None
    max: float | None = None
    tier_if_any_yes: int | None = None
    caveat: str | None = None

    def contains(self, score: float) -> bool:
        return self.min <= score <= self.max


@dataclass(frozen=True)
class Scoring:
    method: str
    rule: RuleNote
    grade_item: str | None = None
    any_of: tuple[str, ...] = ()
    count_of: tuple[str, ...] = ()
    min_count: int | None = None
    override_item: str | None = None
    priority_item: str | None = None
    imminent_item: str | None = None
    max_missing: int | None = None
    max_tier_from_score: int | None = None
    grade_tier_rule: RuleNote | None = None


@dataclass(frozen=True)
class Pack:
    id: str
    name: str
    version: str
    owner: str
    source_citation: str
    source_url: str | None
    source_verified: bool
    licence: str
    intended_users: str
    notes: str
    scoring: Scoring
    bands: tuple[Band, ...]
    items: tuple[Item, ...]
    licensed_table: str | None = None

    @property
    def weights_loaded(self) -> bool:
        return self.scoring.method != "weighted" or self.licensed_table is not None

    def item(self, item_id: str) -> Item:
        return self.items_by_id()[item_id]

    def items_by_id(self) -> dict[str, Item]:
        return self._items_by_id

    # Packs never change once loaded, and scoring a bulk import asks for these for every row.
    @cached_property
    def _items_by_id(self) -> dict[str, Item]:
        return {item.id: item for item in self.items}

    @cached_property
    def scored_items(self) -> tuple[Item, ...]:
        return tuple(item for item in self.items if item.scored)

    @property
    def max_score(self) -> float:
        if self.scoring.method == "weighted" and self.weights_loaded:
            return sum(item.weight for item in self.scored_items)
        if self.scoring.method == "spj":
            return len([item for item in self.items if item.answer_type == "rating"])
        return len(self.scored_items)

    @property
    def unverified_rules(self) -> list[str]:
        """Every rule of the pack not yet checked against a source, in words, for the rules page."""
        rules = (
            []
            if self.source_verified
            else [f"The items are not checked against the tool's own publication: {self.source_citation}"]
        )
        rules += [
            note.basis for note in (self.scoring.rule, self.scoring.grade_tier_rule) if note and not note.verified
        ]
        rules += [f"{band.label} band: {band.rule.basis}" for band in self.bands if not band.rule.verified]
        return rules

    @property
    def verified(self) -> bool:
        return self.source_verified and self.scoring.rule.verified and all(band.rule.verified for band in self.bands)


@lru_cache(maxsize=2)
def read_schema(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def read_checked(path: Path, schema_path: Path) -> dict:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        jsonschema.validate(data, read_schema(schema_path))
    except (OSError, json.JSONDecodeError, UnicodeDecodeError) as error:
        raise PackError(f"{Path(path).name}: cannot be read as JSON: {error}") from error
    except jsonschema.ValidationError as error:
        where = "/".join(str(part) for part in error.absolute_path) or "the top level"
        raise PackError(f"{Path(path).name}: at {where}: {error.message}") from error
    return data


def load_pack(path: Path) -> Pack:
    pack = pack_from_data(read_checked(path, SCHEMA_PATH))
    problems = pack_problems(pack)
    if Path(path).stem != pack.id:
        problems.insert(0, f"the file name must be {pack.id}.json")
    if problems:
        raise PackError(f"{Path(path).name}: " + "; ".join(problems))
    return pack


def load_all_packs() -> dict[str, Pack]:
    """Every pack, with the weights of any licensed table the site has installed. Remembered by the folders'
    names as written (a decision names tools many times, and an import makes thousands of decisions)."""
    return packs_with_tables(PACK_DIRECTORY, os.environ.get(LICENSED_FOLDER_VARIABLE) or DEFAULT_LICENSED_FOLDER)


@lru_cache(maxsize=4)
def packs_with_tables(directory: Path, licensed: Path | str) -> dict[str, Pack]:
    paths = sorted(path for path in Path(directory).glob("*.json") if not path.name.endswith(".schema.json"))
    packs = {pack.id: pack for pack in map(load_pack, paths)}
    for pack_id, pack in packs.items():
        table = Path(licensed) / f"{pack_id}.json"
        if pack.scoring.method == "weighted" and table.is_file():
            packs[pack_id] = with_licensed_table(pack, table)
    return packs


def with_licensed_table(pack: Pack, path: Path) -> Pack:
    """The pack with the weights and levels of the site's licensed scoring sheet."""
    data = read_checked(path, LICENSED_SCHEMA_PATH)
    problems = (
        [] if data["tool"] == pack.id else [f"it is for {data['tool']!r}, so it must be named {data['tool']}.json"]
    )
    scored = {item.id for item in pack.scored_items}
    if set(data["weights"]) != scored:
        missing, extra = sorted(scored - set(data["weights"])), sorted(set(data["weights"]) - scored)
        problems.append(
            f"weights must be given for exactly the scored items {', '.join(sorted(scored))}"
            + (f"; missing {', '.join(missing)}" if missing else "")
            + (f"; not scored {', '.join(extra)}" if extra else "")
        )
    if problems:
        raise PackError(f"{path.name}: " + "; ".join(problems))
    licensed = RuleNote(verified=True, basis=f"Licensed table: {data['source']}")
    weighted = replace(
        pack,
        items=tuple(
            replace(item, weight=data["weights"][item.id]) if item.id in scored else item for item in pack.items
        ),
        bands=tuple(Band(**(level | {"rule": licensed})) for level in data["levels"]),
        licensed_table=f"{data['source']} (version {data['version']})",
    )
    if problems := band_problems(weighted):
        raise PackError(f"{path.name}: levels: " + "; ".join(problems))
    return weighted


def get_pack(tool_id: str) -> Pack:
    packs = load_all_packs()
    if tool_id not in packs:
        raise PackError(f"There is no tool {tool_id!r}; the tools are {', '.join(sorted(packs))}")
    return packs[tool_id]


def pack_from_data(data: dict) -> Pack:
    scoring = dict(data["scoring"])
    scoring["rule"] = RuleNote(**scoring["rule"])
    if "grade_tier_rule" in scoring:
        scoring["grade_tier_rule"] = RuleNote(**scoring["grade_tier_rule"])
    for key in ("any_of", "count_of"):
        scoring[key] = tuple(scoring.get(key, ()))
    return Pack(
        id=data["id"],
        name=data["name"],
        version=data["version"],
        owner=data["owner"],
        source_citation=data["source"]["citation"],
        source_url=data["source"].get("url"),
        source_verified=data["source"]["verified"],
        licence=data["licence"],
        intended_users=data["intended_users"],
        notes=data.get("notes", ""),
        scoring=Scoring(**scoring),
        bands=tuple(Band(**(band | {"rule": RuleNote(**band["rule"])})) for band in data.get("bands", ())),
        items=tuple(item_from_data(item) for item in data["items"]),
    )


def item_from_data(data: dict) -> Item:
    answer_type = data["answer_type"]
    prompt = data.get("prompt_if_yes")
    return Item(
        id=data["id"],
        label=data["label"],
        answer_type=answer_type,
        factors=tuple(data["factors"]),
        scored=data.get("scored", answer_type == "yes-no"),
        weight=data.get("weight"),
        parent=data.get("parent"),
        effect=data.get("effect"),
        choices=tuple(
            Choice(choice["id"], choice["label"], choice.get("tier"), tuple(choice.get("aliases", ())))
            for choice in data.get("choices", ())
        ),
        prompt_if_yes=ItemPrompt(**prompt) if prompt else None,
        may_be_not_applicable=data.get("may_be_not_applicable", False),
    )


def pack_problems(pack: Pack) -> list[str]:
    problems = []
    item_ids = [item.id for item in pack.items]
    duplicates = sorted({item_id for item_id in item_ids if item_ids.count(item_id) > 1})
    if duplicates:
        problems.append(f"item ids used twice: {', '.join(duplicates)}")
    known = set(item_ids)
    scoring = pack.scoring
    references = [scoring.grade_item, scoring.override_item, scoring.priority_item, scoring.imminent_item]
    references += [*scoring.any_of, *scoring.count_of, *(item.parent for item in pack.items)]
    unknown = sorted({ref for ref in references if ref is not None and ref not in known})
    if unknown:
        problems.append(f"names items that do not exist: {', '.join(unknown)}")
    problems += factor_problems(pack) + method_problems(pack) + band_problems(pack)
    return problems


def factor_problems(pack: Pack) -> list[str]:
    unknown = sorted({factor for item in pack.items for factor in item.factors if factor not in FACTORS_BY_ID})
    return [f"unknown common factors: {', '.join(unknown)}"] if unknown else []


def method_problems(pack: Pack) -> list[str]:
    scoring, problems = pack.scoring, []
    required = {
        "grade": ["grade_item"],
        "lap-screen": ["any_of", "count_of", "min_count", "override_item"],
        "spj": ["priority_item", "imminent_item"],
    }.get(scoring.method, [])
    missing = [key for key in required if not getattr(scoring, key)]
    if missing:
        problems.append(f"the {scoring.method} method needs {', '.join(missing)}")
    if scoring.method == "weighted" and (pack.bands or any(item.weight is not None for item in pack.items)):
        problems.append("a weighted tool's weights and levels come only from its licensed table, never from the pack")
    if scoring.method == "grade" and scoring.grade_tier_rule is None:
        problems.append(
            "the grade method needs grade_tier_rule: whether the grade-to-tier mapping is checked, and its basis"
        )
    for item in pack.items:
        if item.may_be_not_applicable and item.answer_type != "yes-no":
            problems.append(f"{item.id}: only a yes-no item may be not applicable")
    for key in ("grade_item", "priority_item"):
        item_id = getattr(scoring, key)
        if item_id in {item.id for item in pack.items} and pack.item(item_id).answer_type != "choice":
            problems.append(f"{item_id} must be a choice item")
    for item in pack.items:
        if item.answer_type == "choice" and not item.choices:
            problems.append(f"{item.id} is a choice item with no choices")
        if (item.parent is None) != (item.effect is None):
            problems.append(f"{item.id} needs both parent and effect, or neither")
    return problems


def band_problems(pack: Pack) -> list[str]:
    if pack.scoring.method not in {"count", "weighted", "grade"} or not pack.bands:
        if pack.scoring.method == "count":
            return ["a count tool needs bands"]
        return []
    if any(band.min is None or band.max is None for band in pack.bands):
        return ["every score band needs min and max"]
    ordered = sorted(pack.bands, key=lambda band: band.min)
    problems = []
    if ordered[0].min != 0:
        problems.append("the bands must start at 0")
    if ordered[-1].max != pack.max_score:
        problems.append(f"the bands must end at the maximum score, {pack.max_score:g}")
    for lower, upper in zip(ordered, ordered[1:]):
        if upper.min <= lower.max:
            problems.append(f"bands {lower.id} and {upper.id} overlap")
        if upper.min > lower.max + 1:
            problems.append(f"scores between bands {lower.id} and {upper.id} fall in no band")
    return problems
