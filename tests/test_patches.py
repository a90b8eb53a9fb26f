"""harness apply: overlay + patch series onto a git checkout at the base commit."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from harness.patches import PatchError, PatchSet, State, apply, reverse, state


def git(tree: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(tree), *args], check=True, capture_output=True, text=True).stdout


@pytest.fixture
def tree(tmp_path) -> Path:
    """A tiny stand-in for a ReactOS checkout: two files at one commit."""
    root = tmp_path / "reactos"
    (root / "ntoskrnl" / "ps").mkdir(parents=True)
    (root / "ntoskrnl" / "ps" / "job.c").write_text("line 1\nline 2\nline 3\n")
    (root / "modules").mkdir()
    (root / "modules" / "CMakeLists.txt").write_text("add_subdirectory(rostests)\n")
    git(root, "init", "-q")
    git(root, "-c", "user.name=t", "-c", "user.email=t@t", "add", "-A")
    git(root, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "base")
    return root


@pytest.fixture
def patch_set(tmp_path, tree) -> PatchSet:
    root = tmp_path / "reactos-patches"
    (root / "patches").mkdir(parents=True)
    (root / "ntoskrnl" / "ps").mkdir(parents=True)
    (root / "ntoskrnl" / "ps" / "silo.c").write_text("/* new file */\n")
    (root / "BASE").write_text(git(tree, "rev-parse", "HEAD"))
    (tree / "ntoskrnl" / "ps" / "job.c").write_text("line 1\nline 2 changed\nline 3\n")
    (root / "patches" / "0001-change-job.patch").write_text(git(tree, "diff"))
    git(tree, "checkout", "-q", "--", ".")
    return PatchSet.load(root)


def test_apply_adds_the_overlay_and_applies_the_series(tree, patch_set):
    done = apply(tree, patch_set)
    assert (tree / "ntoskrnl" / "ps" / "silo.c").read_text() == "/* new file */\n"
    assert "line 2 changed" in (tree / "ntoskrnl" / "ps" / "job.c").read_text()
    assert done == ["add ntoskrnl/ps/silo.c", "apply 0001-change-job.patch"]
    assert state(tree, patch_set) is State.APPLIED


def test_check_changes_nothing(tree, patch_set):
    apply(tree, patch_set, check_only=True)
    assert not (tree / "ntoskrnl" / "ps" / "silo.c").exists()
    assert git(tree, "status", "--porcelain") == ""


def test_reverse_restores_the_pristine_tree(tree, patch_set):
    apply(tree, patch_set)
    reverse(tree, patch_set)
    assert git(tree, "status", "--porcelain") == ""
    assert not (tree / "ntoskrnl" / "ps").joinpath("silo.c").exists()


def test_applying_twice_is_refused(tree, patch_set):
    apply(tree, patch_set)
    with pytest.raises(PatchError, match="already applied"):
        apply(tree, patch_set)


def test_a_tree_at_another_commit_is_refused_with_the_fix(tree, patch_set):
    (tree / "other.txt").write_text("x")
    git(tree, "add", "-A")
    git(tree, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "later")
    with pytest.raises(PatchError, match="checkout"):
        apply(tree, patch_set)


def test_local_changes_where_the_patches_touch_are_refused_and_kept(tree, patch_set):
    (tree / "ntoskrnl" / "ps" / "job.c").write_text("my own work\n")
    with pytest.raises(PatchError, match="(?s)local changes.*job.c"):
        apply(tree, patch_set)
    assert (tree / "ntoskrnl" / "ps" / "job.c").read_text() == "my own work\n"
    assert not (tree / "ntoskrnl" / "ps" / "silo.c").exists()


def test_local_changes_elsewhere_do_not_matter(tree, patch_set):
    (tree / "modules" / "CMakeLists.txt").write_text("add_subdirectory(rostests)\n# mine\n")
    apply(tree, patch_set)
    assert state(tree, patch_set) is State.APPLIED


def test_a_foreign_file_where_the_overlay_goes_is_refused(tree, patch_set):
    (tree / "ntoskrnl" / "ps" / "silo.c").write_text("someone else's silo\n")
    with pytest.raises(PatchError, match="differ from ours"):
        apply(tree, patch_set)
    assert (tree / "ntoskrnl" / "ps" / "silo.c").read_text() == "someone else's silo\n"


def test_reverse_of_an_unpatched_tree_is_refused(tree, patch_set):
    with pytest.raises(PatchError, match="not .*applied"):
        reverse(tree, patch_set)


def test_a_directory_that_is_not_a_git_checkout_is_refused(tmp_path, patch_set):
    (tmp_path / "plain").mkdir()
    with pytest.raises(PatchError, match="not a git checkout"):
        apply(tmp_path / "plain", patch_set)


def test_the_project_patch_set_loads_and_names_its_base():
    patch_set = PatchSet.load(Path(__file__).resolve().parent.parent / "reactos-patches")
    assert len(patch_set.base) == 40
    assert patch_set.patches and all(p.suffix == ".patch" for p in patch_set.patches)
    assert Path("modules/harness/runner/harnessrun.c") in patch_set.overlay


def test_a_patch_may_build_on_the_one_before_it(tree, patch_set):
    """The silo series changes job.c in two patches; checking each against the base alone would refuse it."""
    job = tree / "ntoskrnl" / "ps" / "job.c"
    git(tree, "apply", "--index", str(patch_set.patches[0]))
    job.write_text("line 1\nline 2 changed\nline 3 changed too\n")
    (patch_set.root / "patches" / "0002-build-on-it.patch").write_text(git(tree, "diff"))
    git(tree, "reset", "-q", "--hard")
    series = PatchSet.load(patch_set.root)
    assert [p.name for p in series.patches] == ["0001-change-job.patch", "0002-build-on-it.patch"]

    assert apply(tree, series, check_only=True)[-1] == "apply 0002-build-on-it.patch"
    assert git(tree, "status", "--porcelain") == ""
    apply(tree, series)
    assert job.read_text() == "line 1\nline 2 changed\nline 3 changed too\n"
    assert state(tree, series) is State.APPLIED
    reverse(tree, series)
    assert git(tree, "status", "--porcelain") == ""
    assert state(tree, series) is State.CLEAN


def test_a_series_that_breaks_midway_changes_nothing(tree, patch_set):
    (patch_set.root / "patches" / "0002-wrong-context.patch").write_text(
        "--- a/ntoskrnl/ps/job.c\n+++ b/ntoskrnl/ps/job.c\n@@ -1,3 +1,3 @@\n line 1\n-no such line\n+x\n line 3\n")
    series = PatchSet.load(patch_set.root)
    with pytest.raises(PatchError, match="0002-wrong-context.patch does not apply"):
        apply(tree, series)
    assert git(tree, "status", "--porcelain") == ""
    assert not (tree / "ntoskrnl" / "ps" / "silo.c").exists()


def test_the_wheel_carries_the_whole_patch_series(tmp_path):
    """`pip install .` then `harness apply`: the series must be in the package, every file of it."""
    import subprocess
    import sys
    import zipfile

    root = Path(__file__).resolve().parent.parent
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(tmp_path), str(root)],
                           capture_output=True, text=True)
    assert built.returncode == 0, built.stderr[-2000:]
    [wheel] = tmp_path.glob("*.whl")
    shipped = {name[len("harness/series/"):] for name in zipfile.ZipFile(wheel).namelist()
               if name.startswith("harness/series/")}
    source = {str(p.relative_to(root / "reactos-patches")) for p in (root / "reactos-patches").rglob("*") if p.is_file()}
    assert shipped == source


def _runner_set(tmp_path, tree, manifest: str) -> PatchSet:
    """A set whose series has a runner part (0001 + runner/) and a silo part (0002 + ps/silo.c)."""
    root = tmp_path / "runner-patches"
    (root / "patches").mkdir(parents=True)
    (root / "modules" / "harness" / "runner").mkdir(parents=True)
    (root / "modules" / "harness" / "runner" / "harnessrun.c").write_text("/* runner */\n")
    (root / "ntoskrnl" / "ps").mkdir(parents=True)
    (root / "ntoskrnl" / "ps" / "silo.c").write_text("/* silo */\n")
    (root / "BASE").write_text(git(tree, "rev-parse", "HEAD"))
    (tree / "modules" / "CMakeLists.txt").write_text("add_subdirectory(rostests)\nadd_subdirectory(harness)\n")
    (root / "patches" / "0001-start-the-runner.patch").write_text(git(tree, "diff"))
    git(tree, "checkout", "-q", "--", ".")
    (tree / "ntoskrnl" / "ps" / "job.c").write_text("line 1\nline 2 silo\nline 3\n")
    (root / "patches" / "0002-silo-job.patch").write_text(git(tree, "diff"))
    git(tree, "checkout", "-q", "--", ".")
    (root / "RUNNER").write_text(manifest)
    return PatchSet.load(root)


RUNNER_MANIFEST = "# the runner alone\npatch 0001-start-the-runner.patch\noverlay modules/harness/runner\n"


def test_the_runner_alone_leaves_every_silo_change_out(tmp_path, tree):
    full = _runner_set(tmp_path, tree, RUNNER_MANIFEST)
    runner = full.runner_only()
    done = apply(tree, runner)
    assert done == ["add modules/harness/runner/harnessrun.c", "apply 0001-start-the-runner.patch"]
    assert "add_subdirectory(harness)" in (tree / "modules" / "CMakeLists.txt").read_text()
    assert (tree / "ntoskrnl" / "ps" / "job.c").read_text() == "line 1\nline 2\nline 3\n"
    assert not (tree / "ntoskrnl" / "ps" / "silo.c").exists()
    assert state(tree, runner) is State.APPLIED
    with pytest.raises(PatchError, match="missing: ntoskrnl/ps/silo.c"):
        apply(tree, full)  # the whole series over the runner alone: refused, the tree kept
    assert state(tree, runner) is State.APPLIED
    reverse(tree, runner)
    assert git(tree, "status", "--porcelain") == ""


def test_the_project_runner_part_names_what_the_series_holds():
    runner = PatchSet.load(Path(__file__).resolve().parent.parent / "reactos-patches").runner_only()
    assert [p.name[:4] for p in runner.patches] == ["0001", "0002"]
    assert Path("modules/harness/runner/harnessrun.c") in runner.overlay
    assert not [rel for rel in runner.overlay if "silo" in str(rel)]


@pytest.mark.parametrize("manifest, message", [
    ("patch 0009-nosuch.patch\n", "does not hold: 0009-nosuch.patch"),
    ("overlay modules/nosuch\n", "hold none of our files: modules/nosuch"),
    ("runner everything\n", "RUNNER:1: want 'patch NAME' or 'overlay PATH'"),
])
def test_a_runner_file_naming_what_is_not_there_is_refused(tmp_path, tree, manifest, message):
    with pytest.raises(PatchError, match=message):
        _runner_set(tmp_path, tree, manifest).runner_only()


def test_a_set_without_a_runner_file_says_so(patch_set):
    with pytest.raises(PatchError, match="no RUNNER file"):
        patch_set.runner_only()
