"""What a notification e-mail says and where its link points; the feed (activity.py) and the digests
(digests.py) both mail."""

from django.urls import reverse

from ..models import Activity, Assessment
from ..techniques import TECHNIQUES


def notification_subject(*, activity: Activity, assessment: Assessment) -> str:
    """Says what happened: `[SAT Workbench] AQIM: warning: IND3 is now at its threshold …`."""
    what = activity.data.get("subject") or activity.message
    # One line whatever is stored: a header with a line break is refused by Django, and the mail never leaves
    # (titles are one line since the field rule; one saved before it must not silence every e-mail).
    title = " ".join(assessment.title.split())
    subject = f"[SAT Workbench] {title}: {activity.get_kind_display().lower()}: {' '.join(what.split())}"
    return subject if len(subject) <= 150 else subject[:149] + "…"


def notification_path(*, activity: Activity) -> str:
    """The page where the event happened: the technique that raised it, else the assessment's front page."""
    technique = TECHNIQUES.get(activity.data.get("technique") or "")
    if technique is not None and technique.nav is not None:
        return reverse(technique.nav[1], args=[activity.assessment_id])
    return activity.assessment.get_absolute_url()
