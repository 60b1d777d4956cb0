"""Non-interference: what an analyst can read does not depend on teammates' judgments she may not see yet.

Two worlds are built by the same steps in the same order, one after the other in one database (the first
rolled back to a savepoint, PostgreSQL's sequences put back, so both get the same ids), differing only in
teammates' ratings and notes of rows alice has not rated in full and in a teammate's judgment of an
assumption she has not judged. Every door alice can reach (every GET view of the URL resolver, the API
router's included, with the assessment's ids filled in; each export format; the report and the HTML its
PDF is made from; her notifications, her e-mails and the activity feed) must answer her the same in both,
once times and tokens are masked. The supervisor's answers differ: the control that the worlds do differ.

A door the walk cannot fill in fails the test until it is filled in below or listed in NOT_TEAM_DATA with
the reason it shows no team data.
"""

import io
import re
from collections.abc import Iterator

import openpyxl
import pytest
from django.core import mail
from django.core.cache import cache
from django.db import connection, transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from apps.ach.services import assessment_resolve, rating_set
from apps.assessments import services
from apps.assessments.models import Notification, ScoreSnapshot, Source
from apps.comments.services import thread_start
from apps.indicators.services import indicator_create, observation_add, validation_set
from apps.key_assumptions.services import assumption_create, judgment_set
from tests import factories

pytestmark = pytest.mark.django_db

# The two worlds: bob's ratings and notes of E3 (alice rated only its H1) and E4 (she rated none of it),
# and bob's judgment of A2 (she judged only A1).
WORLDS = {
    "calm": {"E3": ("C", "C", "C"), "E4": ("C", "N", "C"), "note": "fits every hypothesis", "A2": "solid"},
    "storm": {"E3": ("II", "CC", "I"), "E4": ("CC", "II", "II"), "note": "only H1 survives this", "A2": "unsupported"},
}
# carol (a third analyst) rates every cell, the same in both worlds: with bob's, a spread to disagree about.
CAROL = {"E1": ("C", "I", "N"), "E2": ("I", "C", "C"), "E3": ("C", "I", "I"), "E4": ("I", "C", "C")}
ORIGINS = {1: "Wire", 2: "", 3: "Agent X", 4: "Agent X"}
ALICE = {"E1": ("C", "I", "I"), "E2": ("N", "C", "I"), "E3": ("C",)}
BOB_SAME = {"E1": ("C", "II", "N"), "E2": ("I", "C", "CC")}

# Doors that show no team data to an analyst, with the reason; every other named URL is walked.
NOT_TEAM_DATA = {
    "admin": "Django's admin: staff only, an analyst is sent to its login page",
    "accounts:logout": "POST only; logs out",
    "api:schema": "the API's schema: the same for every caller and every assessment",
    "api:docs": "Swagger UI's page: no data",
    "healthz": "service health: no assessment data",
    "metrics": "the process's Prometheus counters: no assessment data",
}
# Values for the URL arguments; "pk" and "version" depend on the door (see _kwargs).
MISSING = 999_999


def _mask(text: str) -> str:
    text = re.sub(r"[A-Za-z0-9]{64}", "⟨token⟩", text)  # CSRF tokens
    text = re.sub(r"\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?", "⟨time⟩", text)
    text = re.sub(r"\d+\s(seconds?|minutes?|hours?)", "⟨ago⟩", text)
    # Notification ids count everyone's notifications, the other members' included.
    text = re.sub(r"/notifications/\d+/", "/notifications/⟨id⟩/", text)
    return text


def _walk(patterns, namespace: str = "") -> Iterator[tuple[str, tuple[str, ...]]]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = namespace
            if entry.namespace:
                inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            yield from _walk(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            name = f"{namespace}:{entry.name}" if namespace else entry.name
            yield name, tuple(entry.pattern.regex.groupindex)


def doors() -> dict[str, tuple[str, ...]]:
    """Every named URL of the project with its arguments, from the resolver (so a new door is walked too)."""
    found: dict[str, tuple[str, ...]] = {}
    for name, arguments in _walk(get_resolver().url_patterns):
        if name in NOT_TEAM_DATA or name.split(":")[0] in NOT_TEAM_DATA:
            continue
        found.setdefault(name, arguments)
    return found


# Extra query strings and htmx targets for doors with several regions or views.
VARIANTS = {
    "ach:matrix": [
        ("", None),
        ("?view=team", None),
        ("?sort=diagnosticity", None),
        ("?view=team&sort=diagnosticity&hide_nd=1", None),
        ("?block=0", "rows"),
        ("", "matrix"),
        ("", "score-rows"),
        ("", "linchpins"),
        ("", "to-settle"),
    ],
    "ach:judgments": [("", None), ("", "judgment-scores"), ("", "judgments")],
    "key_assumptions:check": [("", None), ("?sort=manual", None), ("", "assumptions")],
    "comments:list": [("", None), ("?evidence={E4}", None), ("?evidence={E1}", None)],
}


def _kwargs(name: str, arguments: tuple[str, ...], world: dict) -> list[dict]:
    api_pk = {
        "api:assessment-detail": world["assessment"],
        "api:hypothesis-detail": world["H"][0],
        "api:evidence-detail": world["E"][3],
        "api:assumption-detail": world["A"][1],
    }
    fills = {
        "pk": [api_pk.get(name, MISSING if name.startswith("api:") else world["assessment"])],
        "assessment_pk": [world["assessment"]],
        "item_id": [world["H"][0]] if "hypothesis" in name else [world["E"][3], world["E"][0]],
        "version": [world["versions"][0], world["versions"][-1]],
        "before": [world["versions"][0]],
        "after": [world["versions"][-1]],
        "assumption_id": [world["A"][1], world["A"][0]],
        "thread_id": [world["thread"]],
        "notification_id": [world["notification"]],
        "team_id": [world["team"]],
        "fmt": ["csv", "xlsx"],
        "indicator_id": [world["indicator"]],
        "observation_id": [world["observation"]],
        "source_id": [world["source"]],
        "membership_id": [world["membership"]],
        "requirement_id": [MISSING],
        "link_id": [MISSING],
        "token_id": [MISSING],
        "uidb64": ["MQ"],
        "token": ["set-password"],
        "key": ["A2", "A1"] if "assumption" in name else ["H1", "E4", "IND1"],
    }
    unknown = [argument for argument in arguments if argument not in fills]
    assert not unknown, f"{name}: the test cannot fill {unknown}; fill it in _kwargs or list the door in NOT_TEAM_DATA"
    combos: list[dict] = [{}]
    for argument in arguments:
        combos = [{**combo, argument: value} for combo in combos for value in fills[argument]]
    return combos


def _body(response) -> str:
    content_type = response.get("Content-Type", "")
    if "spreadsheetml" in content_type:
        book = openpyxl.load_workbook(io.BytesIO(response.content))
        return repr([[list(row) for row in sheet.iter_rows(values_only=True)] for sheet in book.worksheets])
    if response.streaming:
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode(errors="replace")


class _PdfHtml:
    """Stands in for weasyprint.HTML: the 'PDF' is the HTML it would be made from."""

    def __init__(self, string: str, **_):
        self.string = string

    def write_pdf(self, **_) -> bytes:
        return self.string.encode()


def read_everything(client, user, world: dict) -> dict[str, str]:
    """Every door's answer to `user`, masked, by URL (and htmx target)."""
    client.force_login(user)
    cache.clear()
    answers = {}
    for name, arguments in sorted(doors().items()):
        for kwargs in _kwargs(name, arguments, world):
            url = reverse(name, kwargs=kwargs)
            for query, target in VARIANTS.get(name, [("", None)]):
                full = url + query.format(E4=world["E"][3], E1=world["E"][0])
                headers = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": target} if target else {}
                response = client.get(full, **headers)
                key = f"{name} {_mask(full)} {target or ''}"
                answers[key] = _mask(
                    f"{response.status_code} {response.get('Location', '')} {response.get('Content-Disposition', '')}\n"
                    + _body(response)
                )
    answers["e-mails"] = _mask(
        repr(sorted((m.subject, m.body) for m in mail.outbox if user.email in m.to or user.email in m.bcc))
    )
    return answers


def _sequences() -> dict[str, tuple]:
    if connection.vendor != "postgresql":
        return {}  # SQLite's AUTOINCREMENT counters roll back with the savepoint
    with connection.cursor() as cursor:
        cursor.execute("SELECT schemaname || '.' || sequencename, last_value FROM pg_sequences")
        return dict(cursor.fetchall())


def _sequences_restore(saved: dict[str, tuple]) -> None:
    with connection.cursor() as cursor:
        for sequence, value in saved.items():
            if value is None:
                cursor.execute("SELECT setval(%s, 1, false)", [sequence])
            else:
                cursor.execute("SELECT setval(%s, %s, true)", [sequence, value])


def build(world_name: str, people: dict, capture) -> dict:
    """The same steps in the same order for both worlds; each write rescored as in production."""
    alice, bob, carol = people["alice"], people["bob"], people["carol"]
    world = WORLDS[world_name]

    def step(write):
        with capture(execute=True):
            return write()

    assessment = step(
        lambda: services.assessment_create(team=people["team"], user=alice, title="Sahel", question="Who?")
    )
    hypotheses = [
        step(lambda s=s: services.hypothesis_create(assessment=assessment, user=alice, statement=s))
        for s in ("AQIM", "JNIM", "ISGS")
    ]
    evidence = step(
        lambda: services.evidence_add(
            assessment=assessment,
            user=alice,
            # E3 and E4 (whose ratings by bob differ between worlds) come from one source: the QIC page's figures.
            items=[
                {"summary": f"Report {n}", "credibility": "high", "relevance": "high", "origin": ORIGINS[n]}
                for n in range(1, 5)
            ],
            via="test",
        )
    )
    ekeys = {e.key: e for e in evidence}

    def rate(analyst, ekey: str, labels, note: str = ""):
        for hypothesis, label in zip(hypotheses, labels, strict=False):
            step(
                lambda h=hypothesis, label=label: rating_set(
                    assessment=assessment,
                    analyst=analyst,
                    evidence_id=ekeys[ekey].pk,
                    hypothesis_id=h.pk,
                    label=label,
                    note=note or None,
                )
            )

    for ekey, labels in CAROL.items():
        rate(carol, ekey, labels)
    for ekey, labels in BOB_SAME.items():
        rate(bob, ekey, labels)
    rate(bob, "E3", world["E3"], world["note"])
    for ekey, labels in ALICE.items():
        rate(alice, ekey, labels)
    rate(bob, "E4", world["E4"], world["note"])
    assumptions = [
        step(
            lambda s=s: assumption_create(
                assessment=assessment, user=alice, statement=s, confidence="caveats", impact="high"
            )
        )
        for s in ("Borders stay closed", "Funding continues")
    ]
    for analyst, assumption, confidence, note in (
        (carol, assumptions[0], "solid", "seen it"),
        (carol, assumptions[1], "caveats", ""),
        (bob, assumptions[0], "caveats", ""),
        (alice, assumptions[0], "solid", ""),
        (bob, assumptions[1], world["A2"], world["note"]),
    ):
        step(
            lambda a=analyst, s=assumption, c=confidence, n=note: judgment_set(
                assumption=s, analyst=a, confidence=c, impact="high", note=n
            )
        )
    # An indicator alice validated and observed: its pages show the ACH leader, which bob's hidden rows move.
    indicator = step(
        lambda: indicator_create(
            assessment=assessment,
            user=alice,
            statement="Cross-border raids",
            category="activity",
            collection="Liaison",
            citation="",
            review_cadence_days=90,
            threshold="emerging",
        )
    )
    for hypothesis, likelihood in zip(hypotheses, ("highly_likely", "unlikely", "likely"), strict=True):
        step(
            lambda h=hypothesis, likelihood=likelihood: validation_set(
                indicator=indicator, analyst=alice, hypothesis_id=h.pk, likelihood=likelihood
            )
        )
    observation = step(
        lambda: observation_add(
            indicator=indicator, user=alice, status="emerging", source="Wire", on=timezone.localdate()
        )
    )
    thread = step(
        lambda: thread_start(assessment=assessment, user=people["sam"], body="Source?", evidence_id=ekeys["E1"].pk)
    )
    # A marked duplicate: the matrix lists it (and a team admin's merge would reconcile bob's hidden ratings).
    step(lambda: services.duplicate_mark(item=ekeys["E4"], of=ekeys["E3"], user=alice, note="One source"))
    # Resolved last: the post-mortem is a door too (its misleading items and computed scores).
    step(
        lambda: assessment_resolve(
            assessment=assessment, user=people["sam"], outcome="H2", resolved_on=timezone.localdate()
        )
    )
    notification = Notification.objects.filter(user=alice).order_by("id").values_list("pk", flat=True).first()
    return {
        "assessment": assessment.pk,
        "team": people["team"].pk,
        "H": [h.pk for h in hypotheses],
        "E": [e.pk for e in evidence],
        "A": [a.pk for a in assumptions],
        "thread": thread.pk,
        "indicator": indicator.pk,
        "observation": observation.pk,
        "source": Source.objects.get(assessment=assessment, name="Agent X").pk,
        "membership": alice.memberships.get(team=people["team"]).pk,
        "notification": notification or MISSING,
        "versions": list(
            ScoreSnapshot.objects.filter(assessment=assessment).order_by("version").values_list("version", flat=True)
        ),
    }


@pytest.fixture
def people(team):
    return {
        "team": team,
        "alice": factories.member(team, "analyst", username="alice"),
        "bob": factories.member(team, "analyst", username="bob"),
        "carol": factories.member(team, "analyst", username="carol"),
        "sam": factories.member(team, "supervisor", username="sam"),
    }


def test_an_analyst_reads_the_same_through_every_door_whatever_teammates_judged_of_what_she_has_not(
    client, people, django_capture_on_commit_callbacks, monkeypatch
):
    import weasyprint

    monkeypatch.setattr(weasyprint, "HTML", _PdfHtml)
    answers = {}
    for world in WORLDS:
        sequences = _sequences()
        savepoint = transaction.savepoint()
        mail.outbox.clear()
        cache.clear()
        built = build(world, people, django_capture_on_commit_callbacks)
        answers[world] = {
            "alice": read_everything(client, people["alice"], built),
            "sam": read_everything(client, people["sam"], built),
            "built": built,
        }
        transaction.savepoint_rollback(savepoint)
        if sequences:
            _sequences_restore(sequences)
    calm, storm = answers["calm"], answers["storm"]
    built = [{k: v for k, v in answers[world]["built"].items() if k != "notification"} for world in WORLDS]
    assert built[0] == built[1], "the two worlds must be built with the same ids"
    assert calm["alice"].keys() == storm["alice"].keys()
    # The walk reached the doors the probe used (and did not silently find none).
    walked = {door.split(" ")[0] for door in calm["alice"]}
    assert {"api:snapshot-list", "api:snapshot-detail", "ach:export", "reviews:report_pdf", "e-mails"} <= walked
    assert len(walked) > 40
    leaks = [door for door in calm["alice"] if calm["alice"][door] != storm["alice"][door]]
    assert not leaks, (
        "alice's answers depend on what she may not see:\n"
        + "\n".join(_difference(door, calm["alice"][door], storm["alice"][door]) for door in leaks[:8])
        + "\nall: "
        + ", ".join(leaks)
    )
    # The control: a supervisor sees everything, so the worlds differ for him, on the matrix among others.
    differing = [door for door in calm["sam"] if calm["sam"][door] != storm["sam"][door]]
    assert any(door.startswith("ach:matrix") for door in differing)
    assert any(door.startswith("api:snapshot-detail") for door in differing)
    assert any(door.startswith("key_assumptions:check") for door in differing)


def _difference(door: str, calm: str, storm: str) -> str:
    at = next((i for i, (a, b) in enumerate(zip(calm, storm, strict=False)) if a != b), min(len(calm), len(storm)))
    return f"- {door}: calm …{calm[max(at - 150, 0) : at + 150]!r}… storm …{storm[max(at - 150, 0) : at + 150]!r}…"
