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


def _workflow() -> dict:
    yaml = pytest.importorskip("yaml")
    return yaml.safe_load(WORKFLOWS[0].read_text())


def _build_artifact_names(sha: str) -> list:
    """Every artifact name ReactOS's Build workflow (build.yml at BASE, kept as an excerpt) uploads from
    its Linux matrix, excludes applied (YAML reads an unquoted 0x600 as a number)."""
    import itertools

    yaml = pytest.importorskip("yaml")
    build = yaml.safe_load((FIXTURES / "reactos-build-workflow" / "build-linux.yml").read_text())
    job = build["jobs"]["build-linux"]
    matrix = dict(job["strategy"]["matrix"])
    excludes = matrix.pop("exclude", [])

    def text(value):
        return f"0x{value:x}" if isinstance(value, int) else str(value)

    template = next(step for step in job["steps"] if step.get("uses", "").startswith("actions/upload-artifact"))
    names = []
    for combo in itertools.product(*matrix.values()):
        entry = dict(zip(matrix, map(text, combo)))
        if any(all(entry[k] == text(v) for k, v in rule.items()) for rule in excludes):
            continue
        name = template["with"]["name"]
        for key, value in entry.items():
            name = name.replace("${{matrix.%s}}" % key, value)
        names.append(name.replace("${{github.sha}}", sha))
    return names


FIXTURES = Path(__file__).resolve().parent / "fixtures"


def test_the_workflow_downloads_exactly_the_gcc_debug_i386_livecd_the_build_uploads():
    import fnmatch

    sha = "0123456789abcdef0123456789abcdef01234567"
    names = _build_artifact_names(sha)
    assert len(names) == 10 and f"reactos-clang-amd64-Release-0x502-{sha}" in names
    pattern = _workflow()["env"]["ISO_ARTIFACT"]
    steps = _workflow()["jobs"]["scenarios"]["steps"]
    download = next(step for step in steps if step.get("uses", "").startswith("actions/download-artifact"))
    assert download["with"]["pattern"] == "${{ env.ISO_ARTIFACT }}"
    assert [name for name in names if fnmatch.fnmatchcase(name, pattern)] == [f"reactos-gcc-i386-Debug-0x502-{sha}"]


def test_the_workflow_installs_in_a_venv_uploads_everything_and_reports_on_the_tested_commit():
    text = WORKFLOWS[0].read_text()
    steps = _workflow()["jobs"]["scenarios"]["steps"]
    install = next(step for step in steps if "Install" in step["name"])
    assert "venv" in install["run"] and "--user" not in install["run"]
    upload = next(step for step in steps if step.get("uses", "").startswith("actions/upload-artifact"))
    assert upload["with"]["path"].strip() == "harness-run/"  # session.json and all, not a list of patterns
    junit = next(step for step in steps if "junit" in step.get("uses", ""))
    assert junit["with"]["commit"] == "${{ github.event.workflow_run.head_sha || github.sha }}"
    header = text.split("\nname:")[0]
    assert "HARNESS_REPO" in header and "ISO_ARTIFACT" in header and "SCENARIOS" in header


def test_the_workflow_compares_the_run_against_a_baseline_artifact():
    steps = _workflow()["jobs"]["scenarios"]["steps"]
    names = [step["name"] for step in steps]
    fetch = next(step for step in steps if step["name"] == "Fetch the baseline run directory")
    # the baseline is the artifact this workflow uploads, from the run the previous step found
    upload = next(step for step in steps if step.get("uses", "").startswith("actions/upload-artifact"))
    assert fetch["with"]["name"] == upload["with"]["name"]
    assert fetch["with"]["run-id"] == "${{ steps.baseline.outputs.run_id }}"
    compare = next(step for step in steps if step["name"] == "Compare against the baseline")
    assert "harness compare baseline-run harness-run" in compare["run"] and "--junit" in compare["run"]
    assert "PIPESTATUS" in compare["run"]  # tee must not hide compare's exit code
    # the comparison comes after the run it compares and only when a baseline was found
    assert names.index("Run the scenarios") < names.index("Compare against the baseline")
    assert "steps.baseline.outputs.run_id != ''" in compare["if"]
    assert "baseline_run_id" in _workflow()[True]["workflow_dispatch"]["inputs"]
