"""Applies ``reactos-patches/`` to a ReactOS git checkout, checks it, or takes it back out.

``reactos-patches/`` holds: ``BASE`` (the upstream commit the work is against), ``patches/*.patch``
(changes to existing files, applied in name order with ``git apply``) and everything else as an
overlay of new files at the same paths in the tree. Nothing is committed in the user's tree.
Before touching anything every step is checked, so a refusal leaves the tree as it was.

``RUNNER`` names the part of the series that only adds the harness's guest runner (the patches that
start it at boot, the runner and its self-tests): applied alone to the base tree, it gives a LiveCD of
unchanged ReactOS that the harness can drive, the baseline a comparison of the series is made against.
"""

from __future__ import annotations

import enum
import filecmp
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional

RESERVED = {"BASE", "RUNNER", "patches", "README.md"}


class PatchError(Exception):
    """The tree cannot take (or give back) the patches; the message says why. Nothing was changed."""


class State(enum.Enum):
    CLEAN = "not applied"
    APPLIED = "applied"


@dataclass
class PatchSet:
    root: Path
    base: str
    patches: List[Path]
    overlay: List[Path] = field(default_factory=list)  # relative paths

    @classmethod
    def load(cls, root: Path) -> "PatchSet":
        root = Path(root)
        base_file = root / "BASE"
        if not base_file.is_file():
            raise PatchError(f"{root} is not a patch set: no BASE file")
        base = base_file.read_text().strip()
        patches = sorted((root / "patches").glob("*.patch")) if (root / "patches").is_dir() else []
        overlay = sorted(p.relative_to(root) for p in root.rglob("*")
                         if p.is_file() and p.relative_to(root).parts[0] not in RESERVED)
        return cls(root, base, patches, overlay)

    def runner_only(self) -> "PatchSet":
        """The runner's part of the series, as its ``RUNNER`` file names it: lines ``patch NAME`` and
        ``overlay PATH`` (a file, or a folder for every file under it); ``#`` starts a comment.
        Raises PatchError when the file is missing or names what the set does not hold."""
        manifest = self.root / "RUNNER"
        if not manifest.is_file():
            raise PatchError(f"{self.root} has no RUNNER file: it does not say which part is the runner alone")
        names: List[str] = []
        prefixes: List[Path] = []
        for number, raw in enumerate(manifest.read_text().splitlines(), start=1):
            line = raw.split("#", 1)[0].strip()
            if not line:
                continue
            kind, _, value = line.partition(" ")
            value = value.strip()
            if kind == "patch" and value:
                names.append(value)
            elif kind == "overlay" and value:
                prefixes.append(Path(value))
            else:
                raise PatchError(f"{manifest}:{number}: want 'patch NAME' or 'overlay PATH', not {raw.strip()!r}")
        by_name = {patch.name: patch for patch in self.patches}
        unknown = [name for name in names if name not in by_name]
        if unknown:
            raise PatchError(f"{manifest} names patches the series does not hold: {', '.join(unknown)}")
        overlay = [rel for rel in self.overlay if any(rel == p or p in rel.parents for p in prefixes)]
        empty = [str(p) for p in prefixes if not any(rel == p or p in rel.parents for rel in overlay)]
        if empty:
            raise PatchError(f"{manifest} names overlay paths that hold none of our files: {', '.join(empty)}")
        return PatchSet(self.root, self.base, [by_name[name] for name in sorted(names)], overlay)


def default_patch_root() -> Path:
    """reactos-patches/ of the source checkout this package runs from, else the copy an installed
    package carries (harness/series/)."""
    source = Path(__file__).resolve().parent.parent / "reactos-patches"
    installed = Path(__file__).resolve().parent / "series"
    if not (source / "BASE").is_file() and (installed / "BASE").is_file():
        return installed
    return source


def _git(tree: Path, *args: str, check: bool = True, input_text: Optional[str] = None,
         index: Optional[Path] = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "GIT_INDEX_FILE": str(index)} if index else None
    result = subprocess.run(["git", "-C", str(tree), *args], capture_output=True, text=True, input=input_text, env=env)
    if check and result.returncode != 0:
        raise PatchError(f"git {' '.join(args)} failed in {tree}: {result.stderr.strip() or result.stdout.strip()}")
    return result


def touched_files(tree: Path, patch: Path) -> List[str]:
    result = _git(tree, "apply", "--numstat", str(patch))
    return [line.split("\t", 2)[2] for line in result.stdout.splitlines() if line.count("\t") >= 2]


def _check_tree(tree: Path, patch_set: PatchSet) -> None:
    if not tree.is_dir():
        raise PatchError(f"not a directory: {tree}")
    if _git(tree, "rev-parse", "--is-inside-work-tree", check=False).returncode != 0:
        raise PatchError(f"{tree} is not a git checkout of ReactOS (the patches need git to check the base commit)")
    head = _git(tree, "rev-parse", "HEAD").stdout.strip()
    if head != patch_set.base:
        raise PatchError(f"{tree} is at {head[:12]}, but the patches are against {patch_set.base[:12]}; "
                         f"check out that commit first (git -C {tree} checkout {patch_set.base})")


def _overlay_state(tree: Path, patch_set: PatchSet) -> State:
    present = [rel for rel in patch_set.overlay if (tree / rel).exists()]
    if not present:
        return State.CLEAN
    same = [rel for rel in present if filecmp.cmp(tree / rel, patch_set.root / rel, shallow=False)]
    if len(same) == len(patch_set.overlay):
        return State.APPLIED
    differ = sorted(set(present) - set(same))
    missing = sorted(set(patch_set.overlay) - set(present))
    detail = []
    if differ:
        detail.append("differ from ours: " + ", ".join(map(str, differ[:5])))
    if missing:
        detail.append("missing: " + ", ".join(map(str, missing[:5])))
    raise PatchError("the tree holds some of our new files but not all as we have them (" + "; ".join(detail) +
                     "); restore them or remove them before applying")


def _series_result(tree: Path, patch_set: PatchSet) -> Dict[str, Optional[str]]:
    """Applies the whole series, in order, to a scratch index made from HEAD (the work tree is not
    touched) and returns each touched path's blob id afterwards (None: deleted). Patches may build on
    each other, so they cannot be checked one by one against the base. Raises PatchError."""
    with tempfile.TemporaryDirectory(prefix="harness-apply-") as scratch:
        index = Path(scratch) / "index"
        _git(tree, "read-tree", "HEAD", index=index)
        for patch in patch_set.patches:
            result = _git(tree, "apply", "--cached", str(patch), check=False, index=index)
            if result.returncode != 0:
                raise PatchError(f"{patch.name} does not apply to {tree} (after the patches before it):\n"
                                 f"{result.stderr.strip()}")
        paths = _touched_paths(tree, patch_set)
        staged = _git(tree, "ls-files", "-s", "--", *paths, index=index).stdout.splitlines()
    blobs: Dict[str, Optional[str]] = {path: None for path in paths}
    for line in staged:
        meta, path = line.split("\t", 1)
        blobs[path] = meta.split()[1]
    return blobs


def _touched_paths(tree: Path, patch_set: PatchSet) -> List[str]:
    return sorted({f for p in patch_set.patches for f in touched_files(tree, p)})


def _worktree_matches(tree: Path, blobs: Dict[str, Optional[str]]) -> bool:
    present = [path for path, blob in blobs.items() if blob is not None]
    if any((tree / path).exists() for path, blob in blobs.items() if blob is None):
        return False
    if any(not (tree / path).is_file() for path in present):
        return False
    if not present:
        return True
    hashes = _git(tree, "hash-object", "--", *present).stdout.split()
    return hashes == [blobs[path] for path in present]


def state(tree: Path, patch_set: PatchSet) -> State:
    tree = Path(tree)
    _check_tree(tree, patch_set)
    overlay = _overlay_state(tree, patch_set)
    if patch_set.patches:
        try:
            patched = _worktree_matches(tree, _series_result(tree, patch_set))
        except PatchError:
            patched = False
    else:
        patched = True
    return State.APPLIED if patched and overlay is State.APPLIED else State.CLEAN


def _check_clean_where_touched(tree: Path, patch_set: PatchSet) -> None:
    paths = _touched_paths(tree, patch_set)
    if not paths:
        return
    dirty = _git(tree, "status", "--porcelain", "--", *paths).stdout.strip()
    if dirty:
        raise PatchError("the tree has local changes in files the patches touch:\n" + dirty +
                         "\ncommit or stash them first")


def apply(tree: Path, patch_set: PatchSet, check_only: bool = False) -> List[str]:
    """Applies overlay then patches. Returns what was (or would be) done. Raises PatchError."""
    tree = Path(tree)
    if state(tree, patch_set) is State.APPLIED:
        raise PatchError(f"the patches are already applied to {tree} (use --reverse to take them out)")
    _check_clean_where_touched(tree, patch_set)
    _series_result(tree, patch_set)
    done = [f"add {rel}" for rel in patch_set.overlay] + [f"apply {p.name}" for p in patch_set.patches]
    if check_only:
        return done
    for rel in patch_set.overlay:
        (tree / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(patch_set.root / rel, tree / rel)
    applied: List[Path] = []
    try:
        for patch in patch_set.patches:
            _git(tree, "apply", str(patch))
            applied.append(patch)
    except PatchError:
        for patch in reversed(applied):
            _git(tree, "apply", "--reverse", str(patch), check=False)
        _remove_overlay(tree, patch_set)
        raise
    return done


def _remove_overlay(tree: Path, patch_set: PatchSet) -> None:
    for rel in patch_set.overlay:
        target = tree / rel
        if target.exists():
            target.unlink()
        parent = target.parent
        while parent != tree and parent.is_dir() and not any(parent.iterdir()):
            parent.rmdir()
            parent = parent.parent


def reverse(tree: Path, patch_set: PatchSet, check_only: bool = False) -> List[str]:
    tree = Path(tree)
    if state(tree, patch_set) is not State.APPLIED:
        raise PatchError(f"the patches are not (or not exactly) applied to {tree}; nothing taken out")
    # The touched files are exactly the series' result, so each reverse step applies
    done = [f"reverse {p.name}" for p in reversed(patch_set.patches)] + [f"remove {rel}" for rel in patch_set.overlay]
    if check_only:
        return done
    for patch in reversed(patch_set.patches):
        _git(tree, "apply", "--reverse", str(patch))
    _remove_overlay(tree, patch_set)
    return done
