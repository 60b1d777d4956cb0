"""Simulated analysts for `make load` (run by bench/load.py, which writes the plan and reads the record).

Each user is its own analyst in its own logged-in session and, with a pause of LOAD_WAIT_MIN–LOAD_WAIT_MAX
seconds between actions, rates cells of the matrix, opens the matrix page, reads the score panel and
adds evidence. After adding evidence (answered by the fresh add form and the `items-changed` event) it reads the
panel, as the page's regions do, and polls it until a snapshot at least as new as its save is shown.
Meanwhile its open page polls the panel every 2 s, as the browser does (hx-trigger="every 2s"). Once, LOAD_BURST_AFTER
seconds (default 10) after the last user started, every user opens the matrix at the same instant besides its own
work: the burst of simultaneous opens, reported as its own request type. Paths are written out (not reversed) so the
script runs against any checkout that serves them.
"""

import json
import os
import random
import re
import time
import uuid

import gevent
import gevent.event
from locust import HttpUser, between, events, task

PLAN = json.loads(open(os.environ["LOAD_PLAN"]).read())  # noqa: SIM115 - read once at import
RECORD_PATH = os.environ["LOAD_RECORD"]
LABELS = ["CC", "C", "N", "I", "II", "NA"]
LEVELS = ["low", "medium", "high"]
SHOWN = re.compile(r"panel/\?shown=(\d+)-(\d+)")
CSRF = re.compile(r'"X-CSRFToken": "([^"]+)"')
ITEMS_CHANGED = "items-changed"
BURST = "open the matrix (burst)"
BURST_AFTER = float(os.environ.get("LOAD_BURST_AFTER", "10"))
burst = gevent.event.Event()

# What the users sent and the server acknowledged (2xx), for the lost-write check afterwards.
ratings_sent: list[dict] = []
evidence_sent: list[dict] = []
snapshot_ms: list[float] = []
snapshot_timeouts: list[str] = []
_usernames = iter(PLAN["usernames"])


class Analyst(HttpUser):
    wait_time = between(float(os.environ.get("LOAD_WAIT_MIN", "1")), float(os.environ.get("LOAD_WAIT_MAX", "3")))

    def on_start(self):
        # Sessions come logged in (bench/load.py creates them), so the run measures work, not 50
        # password hashes at once; the first request opens the matrix and fetches the CSRF cookie.
        self.username = next(_usernames)
        self.base = f"/assessments/{PLAN['assessment']}/"
        self.client.cookies.set(PLAN["session_cookie"], PLAN["sessions"][self.username])
        page = self._get(self.base, name="open the matrix")
        # The token the page hands htmx (hx-headers on <body>), whichever way CSRF is stored.
        token = CSRF.search(page)
        self.htmx = {"HX-Request": "true", "X-CSRFToken": token.group(1) if token else ""}
        shown = SHOWN.search(page)
        self.poller = gevent.spawn(self._open_page_polls, shown.group(0).split("=", 1)[1] if shown else "")
        self.burster = gevent.spawn(self._burst)

    def on_stop(self):
        self.poller.kill()
        self.burster.kill()

    def _burst(self) -> None:
        burst.wait()
        self._get(self.base, name=BURST)

    def _open_page_polls(self, shown: str) -> None:
        """The open matrix page's panel poll: 204 while nothing moved, else the new panel and its token."""
        while True:
            gevent.sleep(2)
            with self.client.get(
                f"{self.base}panel/?shown={shown}",
                headers=self.htmx,
                name="panel poll (open page)",
                catch_response=True,
                allow_redirects=False,
            ) as response:
                if response.status_code not in (200, 204):
                    response.failure(f"HTTP {response.status_code}" if response.status_code else repr(response.error))
                    continue
                match = SHOWN.search(response.text or "") if response.status_code == 200 else None
                if match:
                    shown = match.group(0).split("=", 1)[1]

    @task(10)
    def rate_a_cell(self):
        cell = {
            "evidence": random.choice(PLAN["evidence"]),
            "hypothesis": random.choice(PLAN["hypotheses"]),
            "value": random.choice(LABELS),
        }
        with self.client.post(
            f"{self.base}cells/",
            data=cell,
            headers=self.htmx,
            name="rate a cell",
            catch_response=True,
            allow_redirects=False,
        ) as response:
            ok = response.status_code == 200
            ratings_sent.append({**cell, "analyst": self.username, "ok": ok, "at": time.time()})
            if not ok:
                response.failure(f"HTTP {response.status_code}" if response.status_code else repr(response.error))

    @task(2)
    def open_the_matrix(self):
        self._get(self.base, name="open the matrix")

    @task(3)
    def read_the_scores(self):
        self._get(f"{self.base}panel/", headers=self.htmx, name="read the scores (panel)")

    def _get(self, path: str, **kwargs) -> str:
        with self.client.get(path, allow_redirects=False, catch_response=True, **kwargs) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}" if response.status_code else repr(response.error))
            return response.text or ""

    @task(1)
    def add_evidence(self):
        item = {
            "summary": f"Load {self.username} {uuid.uuid4().hex}",
            "source": "Load test",
            "citation": f"p.{random.randint(1, 400)}",
            "date": "",
            "type": "report",
            "credibility": random.choice(LEVELS),
            "relevance": random.choice(LEVELS),
        }
        started = time.perf_counter()
        # The answer is the add form alone, fresh, with the `items-changed` event: the page's regions refresh
        # themselves from it (the panel's next poll shows the version the save brought).
        with self.client.post(
            f"{self.base}evidence/",
            data=item,
            headers=self.htmx,
            name="add evidence",
            catch_response=True,
            allow_redirects=False,
        ) as response:
            ok = response.status_code == 200 and ITEMS_CHANGED in response.headers.get("HX-Trigger", "")
            evidence_sent.append({**item, "analyst": self.username, "ok": ok})
            if not ok:
                response.failure(f"HTTP {response.status_code} without the {ITEMS_CHANGED} event")
                return
        panel = self._get(f"{self.base}panel/", headers=self.htmx, name="read the scores (panel)")
        shown = SHOWN.search(panel)
        if shown is None:
            snapshot_timeouts.append(f"{self.username}: the panel after a save shows no version token")
            return
        # The panel, read after the save, names a content version at least as new as the save's.
        self._wait_for_snapshot(int(shown.group(2)), shown.group(0).split("=", 1)[1], started)

    def _wait_for_snapshot(self, version: int, shown: str, started: float) -> None:
        """Poll the panel as the page does (but every 100 ms) until a snapshot of `version` is shown."""
        deadline = started + 30
        while time.perf_counter() < deadline:
            response = self.client.get(
                f"{self.base}panel/?shown={shown}", headers=self.htmx, name="panel (awaiting snapshot)"
            )
            match = SHOWN.search(response.text or "") if response.status_code == 200 else None
            if match:
                shown = match.group(0).split("=", 1)[1]
                if int(match.group(1)) >= version:
                    snapshot_ms.append((time.perf_counter() - started) * 1000)
                    return
            time.sleep(0.1)
        snapshot_timeouts.append(f"{self.username}: no snapshot of version {version} within 30 s")


@events.spawning_complete.add_listener
def burst_schedule(user_count, **kwargs):
    gevent.spawn_later(BURST_AFTER, burst.set)


@events.quitting.add_listener
def write_record(environment, **kwargs):
    stats = {}
    for entry in environment.stats.entries.values():
        stats[entry.name] = {
            "requests": entry.num_requests,
            "failures": entry.num_failures,
            "rps": entry.total_rps,
            "p50": entry.get_response_time_percentile(0.5),
            "p95": entry.get_response_time_percentile(0.95),
            "p99": entry.get_response_time_percentile(0.99),
        }
    total = environment.stats.total
    record = {
        "stats": stats,
        "total": {"requests": total.num_requests, "failures": total.num_failures, "rps": total.total_rps},
        "errors": [
            {"name": e.name, "error": str(e.error), "count": e.occurrences} for e in environment.stats.errors.values()
        ],
        "ratings": ratings_sent,
        "evidence": evidence_sent,
        "snapshot_ms": snapshot_ms,
        "snapshot_timeouts": snapshot_timeouts,
    }
    with open(RECORD_PATH, "w") as out:
        json.dump(record, out)
