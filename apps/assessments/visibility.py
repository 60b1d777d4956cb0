"""What a member may see of teammates' judgments: the one read policy every door goes through.

The anchoring rule: an analyst sees the team's judgments of an item (an ACH evidence row, a key
assumption) only once she has made her own (rated the row in every hypothesis, judged the assumption).
Everything computed from teammates' judgments (consensus, disagreement, team scores and posterior,
ranking, diagnosticity and linchpins, fragility, key uncertainties, alerts, the history of those figures)
follows the same rule: she is shown it computed, by the technique's own scoring code, from her view, which
leaves out every judgment of the items she has not judged yet. Whoever may review (supervisors, team
admins) sees everything, and so does an analyst who has judged every item: the stored snapshot, as is.

Technique apps sit above this one; each registers a `Rule` (in its AppConfig.ready): which items a user has
judged, how to compute its results from a view, and which of its alerts a view may show. A door calls
`view_for` once, then `results_for`, `alerts_shown`, `trigger_shown`, `activities_shown` or
`snapshot_shown` for whatever it shows.
"""

import copy
import hashlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache
from django.db.models import Q

from apps.accounts.models import REVIEWING_ROLES, Membership

from .models import Activity, Assessment, ScoreSnapshot

Results = dict[str, Any]


@dataclass(frozen=True)
class View:
    """One member's view of one assessment: the items whose teammates' judgments are hidden from them."""

    assessment_id: int
    user_id: int | None
    username: str
    sees_all: bool
    hidden: Mapping[str, frozenset[int]] = field(default_factory=dict)  # technique -> hidden item ids
    hidden_keys: Mapping[str, frozenset[str]] = field(default_factory=dict)  # the same items by key
    totals: Mapping[str, int] = field(default_factory=dict)  # technique -> items in all

    def hides(self, technique: str) -> bool:
        """Whether the technique's figures differ in this view: it hides items, or reads another's figures
        (the indicators read the ACH leader) that do."""
        rule = RULES.get(technique)
        return bool(self.hidden.get(technique)) or any(self.hides(other) for other in (rule.depends_on if rule else ()))

    @property
    def hides_anything(self) -> bool:
        return any(self.hidden.values())

    def notice(self, technique: str) -> str:
        """What the page says when the technique's team figures come from this view ("" when they do not)."""
        hidden = len(self.hidden.get(technique, ()))
        rule = RULES.get(technique)
        if not hidden or rule is None:
            return ""
        shown = self.totals.get(technique, 0) - hidden
        noun, done, do = rule.wording
        return (
            f"Team view over the {shown} {noun} you have {done}; {hidden} hidden until you {do} them."
            if shown
            else f"Team figures are hidden until you {do} the {noun} yourself ({hidden} to go)."
        )

    def hides_at_most(self, hidden: Mapping[str, frozenset[int]]) -> bool:
        """Whether this view sees everything a view hiding `hidden` sees (it hides no more)."""
        return all(ids <= hidden.get(name, frozenset()) for name, ids in self.hidden.items())


@dataclass(frozen=True)
class Rule:
    """A technique's part of the policy."""

    technique: str
    # (assessment_id, user_id) -> ({item id: key} of every item, ids of the items the user has judged);
    # None for a technique that keeps no one's own judgments
    judged: Callable[[int, int], tuple[dict[int, str], set[int]]] | None
    # (assessment, view, the stored results of the technique) -> the results as the view shows them; a
    # function of the view's hidden items alone (every view hiding the same items shares them)
    results: Callable[[Assessment, View, Results], Results]
    # (assessment_id, user ids) -> `judged`'s answer for several users at once: ({item id: key}, {user id: ids
    # of the items she has judged}); None: `judged` is asked for each
    judged_by: Callable[[int, list[int]], tuple[dict[int, str], dict[int, set[int]]]] | None = None
    # Techniques whose figures this one reads: when the view hides any of theirs, it hides this one's too
    depends_on: tuple[str, ...] = ()
    # Whether the view may show one of the technique's alerts (only asked when the view hides something)
    alert_visible: Callable[[dict, View], bool] = lambda alert, view: False
    # A snapshot trigger as the view may read it (only asked when the view hides something)
    trigger_shown: Callable[[str, View], str] = lambda trigger, view: trigger
    # The technique's section of the JSON export computed from the view; None: the plain export
    export: Callable[[Assessment, View], dict] | None = None
    # (items, judged, judge): "Team view over the 48 items you have rated; …"
    wording: tuple[str, str, str] = ("items", "judged", "judge")
    # (view, the stored results, the results shown) -> the shown results with the viewer's own figures (those
    # computed from her judgments alone), which `results` leaves out so that it can be shared
    own: Callable[[View, Results, Results], Results] = lambda view, stored, shown: shown


RULES: dict[str, Rule] = {}


def rule_register(rule: Rule) -> None:
    RULES[rule.technique] = rule


def sees_all(role: str | None) -> bool:
    return role in REVIEWING_ROLES


def view_for(*, assessment: Assessment, user, role: str | None = None) -> View:
    """THE policy: what `user` may see of `assessment` (the role from the assessment's membership, as
    assessment_for_user left it, unless given)."""
    if role is None:
        membership = getattr(assessment, "membership", None)
        if membership is not None and membership.user_id == user.pk:
            role = membership.role
        else:
            role = (
                Membership.objects.filter(team_id=assessment.team_id, user=user).values_list("role", flat=True).first()
            )
    if sees_all(role):
        return View(assessment_id=assessment.pk, user_id=user.pk, username=user.get_username(), sees_all=True)
    judged = {name: rule.judged(assessment.pk, user.pk) for name, rule in RULES.items() if rule.judged is not None}
    return _view_hiding(assessment=assessment, user=user, judged=judged)


def _view_hiding(*, assessment: Assessment, user, judged: Mapping[str, tuple[dict[int, str], set[int]]]) -> View:
    """The view of a member who does not see everything: by technique, (every item, the items she has judged)."""
    hidden, hidden_keys, totals = {}, {}, {}
    for name, (items, done) in judged.items():
        hidden[name] = frozenset(set(items) - done)
        hidden_keys[name] = frozenset(items[pk] for pk in hidden[name])
        totals[name] = len(items)
    return View(
        assessment_id=assessment.pk,
        user_id=user.pk,
        username=user.get_username(),
        sees_all=False,
        hidden=hidden,
        hidden_keys=hidden_keys,
        totals=totals,
    )


def views_of_members(*, assessment: Assessment, users: Iterable) -> dict[int, View]:
    """Each member's view (for notifications and e-mails, where there is no request): view_for's policy, its
    questions asked once for all of them."""
    users = list(users)
    roles = dict(Membership.objects.filter(team_id=assessment.team_id, user__in=users).values_list("user_id", "role"))
    hiding = [user.pk for user in users if not sees_all(roles.get(user.pk, ""))]
    answers = {}
    for name, rule in RULES.items():
        if rule.judged is None:
            continue
        if rule.judged_by is not None:
            answers[name] = rule.judged_by(assessment.pk, hiding)
        else:
            asked = {pk: rule.judged(assessment.pk, pk) for pk in hiding}
            items = next(iter(asked.values()))[0] if asked else {}
            answers[name] = (items, {pk: done for pk, (_, done) in asked.items()})
    views = {}
    for user in users:
        if sees_all(roles.get(user.pk, "")):
            views[user.pk] = View(
                assessment_id=assessment.pk, user_id=user.pk, username=user.get_username(), sees_all=True
            )
        else:
            judged = {name: (items, by_user[user.pk]) for name, (items, by_user) in answers.items()}
            views[user.pk] = _view_hiding(assessment=assessment, user=user, judged=judged)
    return views


# The results a view is shown are cached per snapshot version and hidden set (shared by every view hiding the
# same items: the analysts who have rated none of the rows, those who have rated all but a newly added one), and
# each viewer's pointer to the ones she was last shown.
CACHE_SECONDS = 600


def hidden_digest(view: View) -> str:
    """What the view's shared results depend on: the items it hides, by technique."""
    hidden = sorted((name, sorted(ids)) for name, ids in view.hidden.items() if ids)
    return hashlib.blake2b(repr(hidden).encode(), digest_size=12).hexdigest()


def results_for(*, view: View, snapshot: ScoreSnapshot, assessment: Assessment | None = None) -> Results:
    """The snapshot's results as the view may see them: the stored ones when nothing is hidden, else each
    hiding technique's results computed from the view (its team figures over the judged items only)."""
    return results_shown(view=view, snapshot=snapshot, assessment=assessment)[1]


def results_shown(*, view: View, snapshot: ScoreSnapshot, assessment: Assessment | None = None) -> tuple[str, Results]:
    """results_for, with a key naming the team figures shown: two views given the same key are shown the same
    team figures (what differs is each viewer's own)."""
    if view.sees_all or not view.hides_anything:
        return "all", snapshot.results
    # The snapshot's time too: a database restored (or a test's, rolled back) reuses its ids and versions.
    prefix = f"visibility:{view.assessment_id}:{snapshot.version}:{snapshot.created_at.timestamp():.6f}"
    exact, mine = f"{prefix}:{hidden_digest(view)}", f"{prefix}:user:{view.user_id}"
    found = cache.get_many([exact, mine])
    key, shared, pointer = exact, found.get(exact), found.get(mine)
    # Results computed while she hid more are still hers to see: a rating that completes a row reuses them
    # (its response must stay O(row)) until the next snapshot, which the rating itself brings.
    if shared is None and pointer is not None and view.hides_at_most(pointer[0]):
        key, shared = pointer[1], cache.get(pointer[1])
    if shared is None:
        if assessment is None:
            assessment = Assessment.objects.get(pk=view.assessment_id)
        key = exact
        shared = {
            name: RULES[name].results(assessment, view, section) if view.hides(name) and name in RULES else section
            for name, section in snapshot.results.items()
        }
        cache.set(key, shared, CACHE_SECONDS)
    if pointer is None or pointer[1] != key:
        cache.set(mine, (dict(view.hidden), key), CACHE_SECONDS)
    results = {
        name: RULES[name].own(view, snapshot.results[name], section) if view.hides(name) and name in RULES else section
        for name, section in shared.items()
    }
    return key, results


def snapshot_shown(*, view: View, snapshot: ScoreSnapshot, latest: bool, assessment=None) -> Results:
    """Any snapshot's results as the view may see them. Only the latest can be computed from the view (the
    past matrix is not kept in a form to score); of an earlier one, a hiding technique shows nothing."""
    if view.sees_all or not view.hides_anything:
        return snapshot.results
    if latest:
        return results_for(view=view, snapshot=snapshot, assessment=assessment)
    return {name: ({} if view.hides(name) else section) for name, section in snapshot.results.items()}


def alert_visible(*, view: View, alert: dict) -> bool:
    technique = alert.get("technique") or ""
    if view.sees_all or not view.hides(technique) or technique not in RULES:
        return True
    return RULES[technique].alert_visible(alert, view)


def alerts_shown(*, view: View, alerts: list[dict]) -> list[dict]:
    return [alert for alert in alerts if alert_visible(view=view, alert=alert)]


def trigger_shown(*, view: View, trigger: str) -> str:
    if view.sees_all or not view.hides_anything:
        return trigger
    for name, rule in RULES.items():
        if view.hides(name):
            trigger = rule.trigger_shown(trigger, view)
    return trigger


ALERT_KINDS = (Activity.Kind.ALERT, Activity.Kind.WARNING, Activity.Kind.FLAG)


def activity_visible(*, view: View, activity: Activity) -> bool:
    if activity.kind in ALERT_KINDS:
        return alert_visible(view=view, alert=activity.data)
    return True


def activities_shown(*, view: View, activities: list[Activity]) -> list[Activity]:
    """The feed as the view may read it: alerts it may not see left out, digests retold from the alerts it
    may see (left out when none)."""
    if view.sees_all or not view.hides_anything:
        return activities
    shown = []
    digests = [a for a in activities if a.kind == Activity.Kind.DIGEST]
    alerts_by_digest = _alerts_of(view=view, digests=digests) if digests else {}
    for activity in activities:
        if activity.kind == Activity.Kind.DIGEST:
            retold = digest_retold(view=view, digest=activity, alerts=alerts_by_digest.get(activity.pk, []))
            if retold is not None:
                shown.append(retold)
        elif activity_visible(view=view, activity=activity):
            shown.append(activity)
    return shown


def _alerts_of(*, view: View, digests: list[Activity]) -> dict[int, list[Activity]]:
    """Each digest's alerts: those it names (a member's digest spans several versions), else its snapshot's."""
    named = {pk: digest.pk for digest in digests for pk in digest.data.get("activities", ())}
    versions = {digest.version: digest.pk for digest in digests if "activities" not in digest.data}
    by_digest: dict[int, list[Activity]] = {}
    for alert in Activity.objects.filter(
        Q(pk__in=named) | Q(version__in=versions), assessment_id=view.assessment_id, kind__in=ALERT_KINDS
    ).order_by("id"):
        if alert.pk in named:
            by_digest.setdefault(named[alert.pk], []).append(alert)
        if alert.version in versions:
            by_digest.setdefault(versions[alert.version], []).append(alert)
    return by_digest


def digest_told(*, alerts: list[Activity], minutes: float) -> tuple[str, str]:
    """A member's digest of the alerts held for her: its message (one line each) and its e-mail subject."""
    window = f"{minutes:g} minutes" if minutes != 1 else "minute"
    message = f"{len(alerts)} alerts in the last {window}:\n" + "\n".join(f"- {a.message}" for a in alerts)
    return message, f"{len(alerts)} alerts: {alerts[0].message}"


def digest_retold(*, view: View, digest: Activity, alerts: list[Activity]) -> Activity | None:
    """A digest as the view may read it; None when it may see none of its alerts."""
    visible = [a for a in alerts if alert_visible(view=view, alert=a.data)]
    if not visible:
        return None
    if len(visible) == 1 < len(alerts):
        # Told as the lone alert it is to this view: a one-alert digest would say, by its kind, that others
        # were left out.
        return visible[0]
    if "minutes" in digest.data:
        if len(visible) == len(alerts):
            return digest
        message, subject = digest_told(alerts=visible, minutes=digest.data["minutes"])
        codes, ids = [a.data.get("code") for a in visible], [a.pk for a in visible]
        return Activity(
            pk=digest.pk,
            assessment_id=digest.assessment_id,
            kind=digest.kind,
            version=digest.version,
            created_at=digest.created_at,
            message=message,
            data={**digest.data, "alerts": codes, "activities": ids, "subject": subject},
        )
    snapshot = ScoreSnapshot.objects.filter(assessment_id=view.assessment_id, version=digest.version).first()
    trigger = snapshot.trigger if snapshot else ""
    if len(visible) == len(alerts) and trigger_shown(view=view, trigger=trigger) == trigger:
        return digest
    trigger = trigger_shown(view=view, trigger=trigger)
    retold = Activity(
        pk=digest.pk,
        assessment_id=digest.assessment_id,
        kind=digest.kind,
        actor_id=digest.actor_id,
        version=digest.version,
        created_at=digest.created_at,
        message=f"{len(visible)} alerts after {trigger or 'a change'}: " + " ".join(a.message for a in visible)
        if len(visible) > 1
        else visible[0].message,
        data={**digest.data, "alerts": [a.data.get("code") for a in visible], "subject": visible[0].message},
    )
    return retold


def snapshot_as_seen(*, view: View, snapshot: ScoreSnapshot, latest: bool, assessment=None) -> ScoreSnapshot:
    """A copy of the snapshot (never saved) with its results, trigger and alerts as the view may see them."""
    if view.sees_all or not view.hides_anything:
        return snapshot
    seen = copy.copy(snapshot)
    seen.results = snapshot_shown(view=view, snapshot=snapshot, latest=latest, assessment=assessment)
    seen.trigger = trigger_shown(view=view, trigger=snapshot.trigger)
    seen.alerts = alerts_shown(view=view, alerts=snapshot.alerts)
    return seen


def notifications_shown(*, user, notifications: list) -> list:
    """The user's notifications as their view of each assessment lets them read them: alerts they may not
    see left out, digests retold (the notification keeps its own id, read state and time)."""
    assessments = {
        n.activity.assessment_id: n.activity.assessment
        for n in notifications
        if n.activity.kind in (*ALERT_KINDS, Activity.Kind.DIGEST)
    }
    if not assessments:
        return notifications
    roles = dict(
        Membership.objects.filter(user=user, team_id__in={a.team_id for a in assessments.values()}).values_list(
            "team_id", "role"
        )
    )
    views = {
        pk: view_for(assessment=assessment, user=user, role=roles.get(assessment.team_id, ""))
        for pk, assessment in assessments.items()
    }
    shown = []
    for notification in notifications:
        view = views.get(notification.activity.assessment_id)
        if view is None:
            shown.append(notification)
            continue
        seen = activities_shown(view=view, activities=[notification.activity])
        if seen:
            seen[0].assessment = notification.activity.assessment
            notification.activity = seen[0]
            shown.append(notification)
    return shown
