"""One key-uncertainty rule everywhere (the review board's): every unsupported assumption, whatever its impact,
and one with caveats and high impact; never a retired one."""

import pytest
from django.urls import reverse

from apps.assessments.exchange import assessment_export
from apps.assessments.models import Activity, ScoreSnapshot
from apps.assessments.services import snapshot_compute
from apps.key_assumptions import services
from apps.key_assumptions.models import Assumption
from apps.key_assumptions.surfaces import key_uncertainties
from tests.key_assumptions.conftest import make_assumption

pytestmark = pytest.mark.django_db


@pytest.fixture
def assumptions(assessment, analyst):
    """A1 unsupported but low impact (the old rule missed it), A2 caveats and medium (not one), A3 caveats and
    high (one)."""
    make_assumption(assessment, analyst, statement="Unsupported, low impact", confidence="unsupported", impact="low")
    make_assumption(assessment, analyst, statement="Caveats, medium impact", confidence="caveats", impact="medium")
    make_assumption(assessment, analyst, statement="Caveats, high impact", confidence="caveats", impact="high")
    snapshot_compute(assessment_id=assessment.pk)
    return assessment


def test_the_page_snapshot_api_export_and_review_board_name_the_same_key_uncertainties(client, assumptions, analyst):
    expected = ["A1", "A3"]
    assert [a.key for a in key_uncertainties(assessment=assumptions)] == expected
    latest = ScoreSnapshot.objects.filter(assessment=assumptions).order_by("-version").first()
    assert latest.results["key_assumptions"]["key_uncertainties"] == expected
    exported = {
        a["key"]: a["results"]["key_uncertainty"] for a in assessment_export(assessment=assumptions)["assumptions"]
    }
    assert exported == {"A1": True, "A2": False, "A3": True}
    client.force_login(analyst)
    page = client.get(reverse("key_assumptions:check", args=[assumptions.pk])).content.decode()
    assert '<strong id="count-key-uncertainties">2</strong>' in page
    api = client.get(f"/api/v1/assessments/{assumptions.pk}/snapshots/latest/").json()
    assert api["techniques"]["key_assumptions"]["key_uncertainties"] == expected


def test_an_assumption_judged_unsupported_with_medium_impact_raises_the_alert(
    assumptions, analyst, django_capture_on_commit_callbacks
):
    second = Assumption.objects.get(assessment=assumptions, key="A2")
    # The rescoring that raises alerts is enqueued on commit.
    with django_capture_on_commit_callbacks(execute=True):
        services.assumption_update(
            assumption=second,
            expected_version=second.version,
            user=analyst,
            reason="Nothing supports it",
            confidence="unsupported",
            impact="medium",
        )
    warnings = Activity.objects.filter(assessment=assumptions, kind=Activity.Kind.WARNING)
    assert [w.message for w in warnings if "A2" in w.message] == [
        "Key assumption A2 is now a key uncertainty: judged unsupported (medium impact if wrong)."
    ]
