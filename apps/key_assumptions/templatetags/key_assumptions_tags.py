from django import template

register = template.Library()


def _shown(value) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, list):
        return ", ".join(_shown(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_shown(v)}" for k, v in value.items())
    return str(value)


@register.filter
def kac_change(change) -> str:
    """A history entry's [before, after] pair as "before → after"; other values as they are."""
    if isinstance(change, list) and len(change) == 2:
        return f"{_shown(change[0])} → {_shown(change[1])}"
    return _shown(change)
