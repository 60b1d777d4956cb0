"""The registry is the only way in: apps/reviews and apps/api import no technique app.

A technique app is one whose AppConfig registers a technique (its apps.py calls technique_register); the
review board, the report and the API reach every technique through apps.assessments.techniques, so a new
technique appears there without those apps naming it. Imports are read from the AST, inside functions too.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
APPS = ROOT / "apps"
REGISTRY_ONLY = ("apps.reviews", "apps.api")


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
