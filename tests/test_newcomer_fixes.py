"""What a newcomer following the docs ran into: the list's address, impossible dates, the import's stdout,
and `make run HOST=0.0.0.0` answering other machines."""

import copy
import json
import socket
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from apps.assessments.exchange import AssessmentFileError, assessment_import
from apps.assessments.tabular import evidence_file_parse
from apps.core.dates import iso_date_parse
from tests import factories

ROOT = Path(__file__).resolve().parent.parent
AQIM = json.loads((ROOT / "fixtures" / "aqim.json").read_text())


@pytest.mark.django_db
def test_assessments_path_redirects_to_the_list(client, analyst):
    client.force_login(analyst)
    response = client.get("/assessments/")
    assert response.status_code == 302
    assert response["Location"] == reverse("assessments:list")


def test_an_impossible_day_is_named_as_such():
    with pytest.raises(ValueError, match=r"^2013-13-01 is not a real date\.$"):
        iso_date_parse("2013-13-01")
    with pytest.raises(ValueError, match=r"^2013-02-30 is not a real date\.$"):
        iso_date_parse("2013-02-30")


def test_a_date_in_another_shape_asks_for_iso():
    with pytest.raises(ValueError, match=r"^Enter the date as YYYY-MM-DD\.$"):
        iso_date_parse("01/13/2013")
    assert iso_date_parse("2013-01-16").isoformat() == "2013-01-16"


def test_a_spreadsheet_row_with_an_impossible_date_says_so():
    parsed = evidence_file_parse(content=b"summary,date\nA report,2013-13-01\nAnother,13/01/2013\n", filename="e.csv")
    assert parsed.row_errors == {
        1: ["date: 2013-13-01 is not a real date."],
        2: ["date: Enter the date as YYYY-MM-DD."],
    }


@pytest.mark.django_db
def test_a_json_file_with_an_impossible_date_says_so_and_writes_nothing(team, analyst):
    data = copy.deepcopy(AQIM)
    data["evidence"][0]["date"] = "2013-13-01"
    with pytest.raises(AssessmentFileError) as refused:
        assessment_import(data=data, team=team, user=analyst, create_analysts=True)
    assert "evidence[0].date: 2013-13-01 is not a real date." in refused.value.errors
    assert not team.assessments.exists()


# Committed for real: the rescoring and its e-mails run on commit.
@pytest.mark.django_db(transaction=True)
def test_import_command_prints_only_the_id_on_stdout_and_emails_on_stderr(team, tmp_path, capsys, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    # A member with an address: the demo's indicators already past their thresholds e-mail the team.
    factories.member(team, "supervisor", username="sam")
    path = tmp_path / "aqim.json"
    path.write_text(json.dumps(AQIM))
    call_command("import_assessment", str(path), "--team", team.name, "--create-analysts")
    printed = capsys.readouterr()
    assert printed.out == f"{team.assessments.get().pk}\n"
    assert "Subject:" in printed.err and "sam@example.org" in printed.err


def test_make_run_on_every_interface_allows_this_machines_name():
    shown = subprocess.run(
        ["make", "-n", "run", "HOST=0.0.0.0"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    line = next(line for line in shown.splitlines() if "Listening on every interface" in line)
    assert socket.gethostname() in line and "127.0.0.1" in line


def test_make_run_keeps_the_allowed_hosts_it_is_given():
    shown = subprocess.run(
        ["make", "-n", "run", "HOST=0.0.0.0", "ALLOWED_HOSTS=workbench.example.org"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "answering as workbench.example.org." in shown
