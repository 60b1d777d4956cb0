import io

from django.core.management import call_command
from django.template import engines

from apps.core.warmup import process_warm, project_templates


def test_the_warm_up_compiles_the_projects_templates_and_no_package_ones():
    names = project_templates()
    assert {"base.html", "ach/matrix.html", "assessments/upload.html"} <= set(names)
    assert not any(name.startswith(("admin/", "rest_framework/", "drf_spectacular/")) for name in names)


def test_after_the_warm_up_the_matrix_template_comes_from_the_cache_without_touching_the_disk(monkeypatch):
    process_warm()
    engine = engines["django"].engine
    # A cache hit never reads the file again.
    monkeypatch.setattr("django.template.loaders.filesystem.Loader.get_contents", lambda *a: 1 / 0)
    assert engine.get_template("ach/matrix.html")


def test_the_registry_hands_each_techniques_warm_up_hook_to_core():
    from apps.ach.scoring import kernels_warm
    from apps.core.warmup import WARM_HOOKS

    assert WARM_HOOKS["ach"] is kernels_warm


def test_the_warm_command_runs_the_registered_hooks_and_names_them():
    out = io.StringIO()
    call_command("warm", "--hooks-only", stdout=out)
    assert out.getvalue().strip() == "Warmed: ach"
