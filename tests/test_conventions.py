"""The architecture's rules, checked on the real import graph read from the source: layers, circles,
the pure core, who may import views and forms, and where a transaction ends."""

import ast
import re
import sys
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
PURE_MODULES = [
    "access.password_policy",
    "risk.answers",
    "risk.criteria",
    "risk.instruments",
    "risk.matching",
    "risk.requests",
    "risk.schema",
    "risk.rulesets",
    "risk.scoring",
    "meetings.planner",
    "meetings.working_days",
]
FORBIDDEN_IN_PURE_CORE = {"flask", "wtforms", "sqlalchemy", "pandas", "flask_sqlalchemy", "flask_wtf", "extensions"}
# Each package may import the ones before it, never one after it
# (ARCHITECTURE.md: access ← risk ← cases ← meetings ← reports).
LAYERS = ["access", "risk", "cases", "meetings", "reports"]
APP_PACKAGES = [*LAYERS, "demo", "forms"]
TOP_LEVEL_MODULES = ["app", "config", "extensions", "transactions"]


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@cache
def app_modules() -> dict[str, Path]:
    modules = {name: ROOT / f"{name}.py" for name in TOP_LEVEL_MODULES}
    for package in APP_PACKAGES:
        modules |= {module_name(path): path for path in (ROOT / package).rglob("*.py")}
    return modules


def imported_names(path: Path) -> set[str]:
    """Every dotted name an import statement in the file reaches, wherever in the file it is."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


@cache
def import_graph() -> dict[str, frozenset[str]]:
    """Module → the app's own modules it imports (`from cases import store` reaches cases.store)."""
    modules = app_modules()
    return {
        name: frozenset(target for target in imported_names(path) if target in modules and target != name)
        for name, path in modules.items()
    }


def circles(graph: dict[str, frozenset[str]]) -> list[set[str]]:
    """The strongly connected groups of more than one module (Tarjan's algorithm)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.add(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(group)

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def package_of(module: str) -> str:
    return module.split(".")[0]


def is_vocabulary(module: str) -> bool:
    return package_of(module) in LAYERS and module.split(".")[1:] == ["vocabulary"]


def is_views(module: str) -> bool:
    return ".views" in f".{module}" and module.split(".")[1:2] == ["views"]


def test_the_graph_is_read_from_every_package():
    graph = import_graph()

    assert {"cases.store", "risk.imports.checking", "meetings.views", "reports.views.dashboard", "demo"} <= graph.keys()
    assert "cases.store" in graph["cases.views.cases"]


def test_the_circle_finder_finds_a_circle():
    assert circles({"a": frozenset({"b"}), "b": frozenset({"c"}), "c": frozenset({"a"}), "d": frozenset({"a"})}) == [
        {"a", "b", "c"}
    ]


def test_there_are_no_import_circles():
    assert circles(import_graph()) == []


@pytest.mark.parametrize("module", PURE_MODULES)
def test_the_pure_core_imports_no_framework_database_or_dataframe(module):
    roots = {name.split(".")[0] for name in imported_names(app_modules()[module])}

    assert roots & FORBIDDEN_IN_PURE_CORE == set()


def test_no_import_runs_back_up_the_layers():
    back_up = [
        f"{module} imports {target}"
        for module, targets in import_graph().items()
        if package_of(module) in LAYERS
        for target in targets
        if package_of(target) in LAYERS and LAYERS.index(package_of(target)) > LAYERS.index(package_of(module))
    ]

    assert back_up == []


def test_the_layers_and_the_top_level_modules_import_neither_demo_data_nor_the_app():
    reaching = [
        f"{module} imports {target}"
        for module, targets in import_graph().items()
        if package_of(module) != "demo" and module != "app"
        for target in targets
        if package_of(target) == "demo" or target == "app"
    ]

    assert reaching == []


def test_only_views_import_views_and_no_package_imports_its_own_views_from_outside_them():
    reaching = [
        f"{module} imports {target}"
        for module, targets in import_graph().items()
        if not is_views(module)
        for target in targets
        if is_views(target)
    ]

    assert reaching == []


def route_decorators(path: Path) -> list[int]:
    """Lines where a function is decorated with `<something>.route(...)`: a page is declared there."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        decorator.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef)
        for decorator in node.decorator_list
        if isinstance(decorator, ast.Call)
        and isinstance(decorator.func, ast.Attribute)
        and decorator.func.attr == "route"
    ]


def test_every_page_is_declared_in_a_views_module_on_its_packages_one_blueprint():
    outside_views = [
        f"{module} line {line}"
        for module, path in app_modules().items()
        if module != "app" and not is_views(module)
        for line in route_decorators(path)
    ]
    blueprints = sorted(
        module for module, path in app_modules().items() if "Blueprint(" in path.read_text(encoding="utf-8")
    )

    assert route_decorators(app_modules()["cases.views.cases"]) != []
    assert outside_views == []
    assert blueprints == [f"{package}.views" for package in sorted(LAYERS)]


def test_forms_are_imported_by_views_alone():
    reaching = [
        f"{module} imports {target}"
        for module, targets in import_graph().items()
        if not is_views(module) and package_of(module) != "forms"
        for target in targets
        if package_of(target) == "forms"
    ]

    assert reaching == []


def test_each_layer_has_its_vocabulary_module():
    assert {module for module in app_modules() if is_vocabulary(module)} == {
        "access.vocabulary",
        "risk.vocabulary",
        "cases.vocabulary",
        "meetings.vocabulary",
        "reports.vocabulary",
    }


def test_vocabulary_modules_import_only_the_standard_library_and_other_vocabulary():
    reaching = [
        f"{module} imports {name}"
        for module, path in app_modules().items()
        if is_vocabulary(module)
        for name in sorted(imported_names(path))
        if name.split(".")[0] not in sys.stdlib_module_names and not is_vocabulary(".".join(name.split(".")[:2]))
    ]

    assert reaching == []


def test_forms_import_only_vocabulary_and_the_pure_core():
    reaching = [
        f"{module} imports {target}"
        for module, targets in import_graph().items()
        if package_of(module) == "forms"
        for target in targets
        if package_of(target) != "forms" and not is_vocabulary(target) and target not in PURE_MODULES
    ]

    assert reaching == []


def calls_named(path: Path, attribute: str) -> list[int]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == attribute
    ]


def test_only_the_transaction_helper_commits():
    committing = [
        f"{module} line {line}"
        for module, path in app_modules().items()
        if module != "transactions"
        for line in calls_named(path, "commit")
    ]

    assert committing == []


def test_the_commit_finder_sees_a_commit(tmp_path):
    source = tmp_path / "view.py"
    source.write_text("def save():\n    db.session.add(row)\n    db.session.commit()\n")

    assert calls_named(source, "commit") == [3]


def form_parameters(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        f"{node.name}({argument.arg})"
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        for argument in [*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs]
        if argument.arg == "form" or argument.arg.endswith("_form")
    ]


def test_services_and_stores_take_plain_values_never_a_form():
    taking_forms = [
        f"{module}: {', '.join(found)}"
        for module, path in app_modules().items()
        if package_of(module) in LAYERS and not is_views(module)
        if (found := form_parameters(path))
    ]

    assert taking_forms == []


def named_result(node: ast.AST) -> bool:
    return (isinstance(node, ast.Name) and node.id == "result") or (
        isinstance(node, ast.Attribute) and node.attr == "result"
    )


def string_key_reads_of_a_result(path: Path) -> list[int]:
    """`result["tier"]`, `assessment.result["tier"]` and `….result.get("tier")`: a result read by a key."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        by_subscript = isinstance(node, ast.Subscript) and named_result(node.value) and is_string(node.slice)
        by_get = (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "get"
            and named_result(node.func.value)
            and any(is_string(argument) for argument in node.args[:1])
        )
        if by_subscript or by_get:
            found.append(node.lineno)
    return found


def is_string(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str)


def strings_in(path: Path) -> set[str]:
    return {node.value for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))) if is_string(node)}


TEMPLATE_RESULT_KEY = re.compile(r"""\bresult\s*(\[\s*["']|\.get\()""")


def test_a_stored_result_is_read_by_its_attributes_never_by_string_keys():
    by_key = [
        f"{module} line {line}"
        for module, path in app_modules().items()
        if module != "risk.schema"  # where the stored shape is written and read, once
        for line in string_key_reads_of_a_result(path)
    ]
    in_templates = [
        f"{path.relative_to(ROOT)} line {number}"
        for path in sorted((ROOT / "templates").rglob("*.html"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if TEMPLATE_RESULT_KEY.search(line)
    ]

    assert by_key + in_templates == []


def test_only_the_schema_knows_the_key_of_the_items_behind_each_factor():
    knowing = [module for module, path in app_modules().items() if "factor_items" in strings_in(path)]

    assert knowing == ["risk.schema"]


def test_the_result_key_finder_sees_every_way_of_reading_by_key(tmp_path):
    source = tmp_path / "report.py"
    source.write_text(
        "a = assessment.result['tier']\n"
        "b = result['score']\n"
        "c = row.result.get('factor_items')\n"
        "d = assessment.result.tier\n"
        "e = results['x']\n"
    )

    assert string_key_reads_of_a_result(source) == [1, 2, 3]
    assert TEMPLATE_RESULT_KEY.search('{{ result["tier"] }}') and TEMPLATE_RESULT_KEY.search("{{ result.get('tier') }}")
    assert not TEMPLATE_RESULT_KEY.search("{{ result.tier.label }}")
