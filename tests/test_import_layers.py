"""Imports point down only, with no circle; the registry is the only way to a technique.

The layers, bottom up (an app imports only from the layers below it, and from itself):

    core <- accounts <- assessments <- comments <- the techniques <- reviews, api

comments sits below the techniques: it imports assessments, accounts and core, and ACH draws its thread
markers on the matrix. A technique app is one whose AppConfig registers a technique (its apps.py calls
technique_register): ach, key_assumptions, indicators, quality, and whichever come next. Technique apps never
import each other, nor do reviews and api; the review board, the report and the API reach every technique
through apps.assessments.techniques, so a new technique appears there without those apps naming it.

Inside an app no two modules import each other, directly or round a longer circle. Imports are read from the
AST, inside functions too (an import deferred to call time is still a dependency); `from pkg import name`
counts as importing `pkg.name` when that is a module, else `pkg`.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
APPS = ROOT / "apps"
REGISTRY_ONLY = ("apps.reviews", "apps.api")
TECHNIQUES = "the techniques"
# Bottom up; TECHNIQUES stands for every technique app, found by its registration.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("apps.core",),
    ("apps.accounts",),
    ("apps.assessments",),
    ("apps.comments",),
    (TECHNIQUES,),
    REGISTRY_ONLY,
)


def _module_of(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> set[str]:
    """Every module the file imports, relative imports resolved."""
    package = _module_of(path) if path.name == "__init__.py" else _module_of(path).rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            found.add(module)
            # `from apps import ach` imports the app itself.
            found.update(f"{module}.{alias.name}" for alias in node.names)
    return found


def technique_apps() -> set[str]:
    found = set()
    for apps_py in APPS.glob("*/apps.py"):
        calls = [
            node
            for node in ast.walk(ast.parse(apps_py.read_text()))
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "technique_register"
        ]
        if calls:
            found.add(f"apps.{apps_py.parent.name}")
    return found


def _is_within(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def test_the_technique_apps_are_found_by_their_registration():
    assert {"apps.ach", "apps.key_assumptions", "apps.indicators"} <= technique_apps()
    assert not technique_apps() & set(REGISTRY_ONLY)


def test_imports_are_read_with_relative_ones_resolved():
    imported = imports_of(APPS / "api" / "views" / "snapshots.py")
    assert "apps.api.serializers" in imported
    assert "apps.assessments.techniques" in imported


@pytest.mark.parametrize("package", REGISTRY_ONLY)
def test_reviews_and_api_import_no_technique_app(package):
    files = sorted((ROOT / package.replace(".", "/")).rglob("*.py"))
    assert files, f"no source found for {package}"
    techniques = technique_apps()
    offenders = sorted(
        f"{path.relative_to(ROOT)} imports {module}"
        for path in files
        for module in imports_of(path)
        if any(_is_within(module, app) for app in techniques)
    )
    assert offenders == []


def project_modules() -> dict[str, Path]:
    """Every module under apps/ but the migrations, by dotted name."""
    return {
        _module_of(path): path
        for path in sorted(APPS.rglob("*.py"))
        if "migrations" not in path.relative_to(APPS).parts and path != APPS / "__init__.py"
    }


def import_graph() -> dict[str, set[str]]:
    """module -> the project modules it imports (each import resolved to the longest module it names)."""
    modules = project_modules()
    graph = {}
    for module, path in modules.items():
        targets = set()
        for imported in imports_of(path):
            while imported and imported not in modules:
                imported = imported.rpartition(".")[0]
            if imported and imported != module:
                targets.add(imported)
        graph[module] = targets
    return graph


def app_of(module: str) -> str:
    return ".".join(module.split(".")[:2])


def layer_of(app: str) -> int:
    name = TECHNIQUES if app in technique_apps() else app
    for index, layer in enumerate(LAYERS):
        if name in layer:
            return index
    raise LookupError(f"{app} is in no layer: place it in LAYERS (tests/test_import_layers.py) and docs/development.md")


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found = []
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_a_circle_is_found_however_long_and_a_chain_is_not_one():
    assert circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert circles({"a": {"b"}, "b": {"c"}, "c": set()}) == []


def test_every_app_has_a_layer():
    apps = {app_of(module) for module in project_modules()}
    assert {"apps.core", "apps.quality", "apps.comments"} <= apps
    for app in apps:
        layer_of(app)


def test_nothing_imports_up_nor_across_a_layer():
    offenders = sorted(
        f"{module} imports {target}"
        for module, targets in import_graph().items()
        for target in targets
        if app_of(target) != app_of(module) and layer_of(app_of(target)) >= layer_of(app_of(module))
    )
    assert offenders == []


def test_no_module_imports_itself_round_a_circle():
    assert circles(import_graph()) == []


def test_the_known_circles_are_broken_where_they_were():
    graph = import_graph()
    assert "apps.ach.scoring" not in graph["apps.ach._kernels"]
    assert "apps.ach.selectors" in graph["apps.ach.results"]
    assert not [
        module
        for module, targets in graph.items()
        if _is_within(module, "apps.ach.selectors") and "apps.ach.results" in targets
    ]
    assert "apps.assessments.services" in graph["apps.assessments.exchange.validation"]
    assert "apps.assessments.services" in graph["apps.assessments.exchange.translation"]
    # Only the fork and the upload load go through the file format, and the services package leaves them out.
    services_on_exchange = {
        module
        for module, targets in graph.items()
        if module.startswith("apps.assessments.services") and "apps.assessments.exchange" in targets
    }
    assert services_on_exchange == {"apps.assessments.services.files"}
    assert "apps.assessments.services.files" not in graph["apps.assessments.services"]
    assert not {target for target in graph["apps.core.warmup"] if not target.startswith("apps.core")}
