"""Layering rules that the architecture fixes, checked by reading the source."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
PURE_MODULES = [
    "risk/answers.py", "risk/criteria.py", "risk/instruments.py", "risk/matching.py", "risk/requests.py", "risk/schema.py",
    "risk/rulesets.py", "risk/scoring.py", "meetings/planner.py",
]
FORBIDDEN_IN_PURE_CORE = {"flask", "wtforms", "sqlalchemy", "pandas", "flask_sqlalchemy", "flask_wtf", "extensions"}
LAYERS = ["access", "risk", "meetings", "reports"]


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


@pytest.mark.parametrize("module", PURE_MODULES)
def test_the_pure_core_imports_no_framework_database_or_dataframe(module):
    roots = {name.split(".")[0] for name in imported_modules(ROOT / module)}

    assert roots & FORBIDDEN_IN_PURE_CORE == set()


@pytest.mark.parametrize("layer", LAYERS)
def test_packages_never_import_from_a_later_layer(layer):
    later = set(LAYERS[LAYERS.index(layer) + 1 :])
    for path in (ROOT / layer).rglob("*.py") if (ROOT / layer).exists() else []:
        roots = {name.split(".")[0] for name in imported_modules(path)}
        assert roots & later == set(), f"{path.relative_to(ROOT)} imports {roots & later}"
