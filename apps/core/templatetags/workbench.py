from django import template

register = template.Library()


@register.filter
def get_item(mapping, key):
    if mapping is None:
        return None
    return mapping.get(key)


@register.filter
def percent(value, digits=0):
    if value is None:
        return "–"
    return f"{float(value) * 100:.{int(digits)}f}%"
