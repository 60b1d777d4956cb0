from django import template

register = template.Library()


@register.simple_tag
def technique_links(assessment):
    """Tabs for the techniques registered beside ACH (key assumptions, indicators …)."""
    from django.urls import reverse
    from django.utils.html import format_html_join
    from django.utils.safestring import mark_safe

    from apps.assessments.rescoring import TECHNIQUES

    links = [(reverse(t.nav[1], args=[assessment.pk]), t.nav[0]) for t in TECHNIQUES.values() if t.nav]
    return format_html_join("", '<a href="{}">{}</a>', links) if links else mark_safe("")
