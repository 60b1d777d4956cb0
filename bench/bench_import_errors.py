"""A JSON import of 145,000 invalid evidence items through the import page.

Target: answered 400 with the first 100 problems and the count, in under 10 s of CPU time (process time, so
other processes on a busy machine do not count). Run with `make bench`; tests/assessments/test_bounded_input.py
checks the answer itself.
"""

import copy
import json
import time

import benchdb

TARGET_CPU_SECONDS = 10.0
ITEMS = 145_000


def main() -> None:
    connection = benchdb.setup()
    old_name = connection.settings_dict["NAME"]
    try:
        from django.core.files.uploadedfile import SimpleUploadedFile
        from django.test import Client
        from django.urls import reverse

        from apps.accounts.models import Team
        from apps.accounts.services import membership_ensure

        team = Team.objects.create(name="Bench import errors")
        user = membership_ensure(team=team, username="bench-import", password="bench")[0]
        data = copy.deepcopy(
            {
                "format": "sat-workbench/assessment@1",
                "title": "Small",
                "question": "Which?",
                "hypotheses": [{"key": "H1", "statement": "One"}, {"key": "H2", "statement": "Two"}],
                "ratings": [],
            }
        )
        data["evidence"] = [{"key": "E1", "summary": "", "credibility": "x", "relevance": "high"}] * ITEMS
        raw = json.dumps(data, separators=(",", ":")).encode()
        client = Client()
        client.force_login(user)
        started = time.process_time()
        response = client.post(
            reverse("assessments:import"), {"file": SimpleUploadedFile("a.json", raw, content_type="application/json")}
        )
        seconds = time.process_time() - started
        print(
            f"import of {ITEMS:,} invalid items ({len(raw) / 1e6:.1f} MB): {response.status_code}, "
            f"{response.content.decode().count('<li>')} problems listed, {seconds:.2f} s CPU "
            f"(target: 400 within {TARGET_CPU_SECONDS:.0f} s CPU)"
        )
    finally:
        connection.close()
        benchdb.teardown(connection, old_name)


if __name__ == "__main__":
    main()
