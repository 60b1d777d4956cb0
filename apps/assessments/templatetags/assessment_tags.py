from django import template
from django.urls import reverse

from apps.assessments.selectors import review_return_latest
from apps.assessments.techniques import technique_tabs

register = template.Library()


@register.inclusion_tag("assessments/tabs.html")
def assessment_tabs(assessment, active: str = "") -> dict:
    """The assessment's tab bar: every registered technique's tab, then the assessment's own pages."""
    tabs = [
        {"name": name, "label": label, "url": reverse(url_name, args=[assessment.pk])}
        for name, label, url_name in technique_tabs()
    ]
    return {"assessment": assessment, "tabs": tabs, "active": active}


@register.simple_tag
def review_return(assessment):
    """The comment a supervisor returned the assessment with, while it is still returned."""
    return review_return_latest(assessment=assessment)
