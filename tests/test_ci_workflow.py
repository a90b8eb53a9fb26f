"""The GitHub Actions workflow that ReactOS forks drop in must pass actionlint."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

WORKFLOWS = sorted((Path(__file__).resolve().parent.parent / "ci").glob("*.yml"))


def test_there_is_a_workflow_to_lint():
    assert WORKFLOWS


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda p: p.name)
def test_the_workflow_passes_actionlint(workflow):
    # installed into the same environment as pytest (a venv's bin/ need not be on PATH)
    actionlint = shutil.which("actionlint", path=str(Path(sys.executable).parent)) or shutil.which("actionlint")
    assert actionlint, "actionlint is a test dependency (pip install -e '.[test]')"
    result = subprocess.run([actionlint, "-shellcheck=", "-pyflakes=", str(workflow)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_workflow_runs_the_harness_and_publishes_junit():
    text = WORKFLOWS[0].read_text()
    assert "harness run" in text and "junit.xml" in text and "upload-artifact" in text
