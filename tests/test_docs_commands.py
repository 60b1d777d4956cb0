"""The README and the manual say what runs: every block marked ```sh runnable runs as written, and the README
stays short. The convention is in docs/development.md ("Runnable commands")."""

import os
import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
FENCE = re.compile(r"^(`{3,})[ \t]*(.*?)[ \t]*$")


def fenced_blocks(text: str) -> list[tuple[int, str, str]]:
    """(line, info string, body) of each top-level fenced block: a fence inside a longer one is its text."""
    blocks = []
    opened = None  # (backticks, info, first line) of the open fence
    body: list[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
        fence = FENCE.match(line)
        if opened is None:
            if fence:
                opened, body = (fence[1], fence[2], number), []
        elif fence and len(fence[1]) >= len(opened[0]) and not fence[2]:
            blocks.append((opened[2], opened[1], "\n".join(body) + "\n"))
            opened = None
        else:
            body.append(line)
    return blocks


def runnable_blocks() -> list[tuple[str, str]]:
    return [
        (f"{document.relative_to(ROOT)}:{line}", body)
        for document in DOCUMENTS
        for line, info, body in fenced_blocks(document.read_text())
        if info == "sh runnable"
    ]


BLOCKS = runnable_blocks()
TEST_RUN_ONLY = {"DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}


def test_the_readme_is_at_most_250_lines():
    assert len((ROOT / "README.md").read_text().splitlines()) <= 250


def test_the_docs_mark_their_cheap_commands_runnable():
    bodies = {place.split(":")[0]: body for place, body in BLOCKS}
    assert "README.md" in bodies
    assert any(body.startswith(".venv/bin/mkdocs build --strict") for body in bodies.values())


def test_a_block_inside_a_longer_fence_is_only_an_example():
    text = "````markdown\n```sh runnable\nfalse\n```\n````\n\n```sh runnable\ntrue\n```\n"
    assert fenced_blocks(text) == [(1, "markdown", "```sh runnable\nfalse\n```\n"), (7, "sh runnable", "true\n")]


@pytest.mark.parametrize(("place", "body"), BLOCKS, ids=[place for place, _ in BLOCKS])
def test_runnable_block_runs_as_written(place, body):
    # As a reader's shell would: the project's own settings, not the test run's.
    env = {name: value for name, value in os.environ.items() if name not in TEST_RUN_ONLY}
    env["NO_MKDOCS_2_WARNING"] = "1"
    done = subprocess.run(
        ["bash", "-e", "-o", "pipefail", "-c", body], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, f"{place} exited {done.returncode}:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
