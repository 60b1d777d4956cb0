"""Sections other apps add to a user's profile page (accounts sits below them and cannot import them)."""

from collections.abc import Callable
from typing import Any

# (request, user) -> HTML from render_to_string, so already escaped.
ProfileSection = Callable[[Any, Any], str]

PROFILE_SECTIONS: list[ProfileSection] = []


def profile_section_register(section: ProfileSection) -> None:
    if section not in PROFILE_SECTIONS:
        PROFILE_SECTIONS.append(section)
