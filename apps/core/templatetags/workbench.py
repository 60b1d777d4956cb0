from django import template

from apps.core.numbers import percent_text

register = template.Library()


@register.filter
def get_item(mapping, key):
    if mapping is None:
        return None
    return mapping.get(key)


@register.filter
def percent(value, digits=0):
    return percent_text(value, int(digits))
