"""Where a LiveCD comes from: a path to the ISO, a ``.7z`` or ``.zip`` holding one (ReactOS publishes its
nightly images as ``.7z``), or an ``http(s)://`` URL of either. Whatever it is becomes a plain ISO path
under the run directory; what cannot be used is an :class:`IsoError` with the reason."""

from __future__ import annotations

import shutil
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from pathlib import Path
from typing import List

import py7zr

from .iso import IsoError

DOWNLOAD_TIMEOUT_S = 60.0
ARCHIVE_SUFFIXES = (".7z", ".zip")


def _download(url: str, directory: Path) -> Path:
    name = Path(urllib.parse.urlparse(url).path).name or "livecd.download"
    target = directory / name
    directory.mkdir(parents=True, exist_ok=True)
    try:
        with urllib.request.urlopen(url, timeout=DOWNLOAD_TIMEOUT_S) as response, open(target, "wb") as out:
            shutil.copyfileobj(response, out)
    except (urllib.error.URLError, OSError, ValueError) as error:
        raise IsoError(f"cannot download {url}: {error}") from error
    return target


def _pick_iso(candidates: List[str], archive: Path) -> str:
    """The archive member to boot: the LiveCD (livecd*.iso) if there is one, else its only ISO."""
    isos = [name for name in candidates if name.lower().endswith(".iso")]
    livecds = [name for name in isos if Path(name).name.lower().startswith("livecd")]
    chosen = livecds or isos
    if len(chosen) != 1:
        raise IsoError(f"{archive} holds {len(chosen)} candidate ISOs ({', '.join(isos) or 'none'}); "
                       "expected one LiveCD (livecd*.iso)")
    return chosen[0]


def _extract(archive: Path, directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    try:
        if archive.suffix.lower() == ".zip":
            with zipfile.ZipFile(archive) as zipped:
                member = _pick_iso(zipped.namelist(), archive)
                zipped.extract(member, directory)
        else:
            with py7zr.SevenZipFile(archive) as seven:
                member = _pick_iso(seven.getnames(), archive)
                seven.extract(path=directory, targets=[member])
    except (zipfile.BadZipFile, py7zr.Bad7zFile, OSError) as error:
        raise IsoError(f"cannot read {archive}: {error}") from error
    iso = directory / member
    if not iso.is_file():
        raise IsoError(f"{member} was not extracted from {archive}")
    return iso


def resolve_iso(spec: str, work_dir: Path) -> Path:
    """A plain ISO path for ``spec`` (path or URL; ISO, .7z or .zip); downloads and extractions go under
    ``work_dir``."""
    if spec.startswith(("http://", "https://")):
        path = _download(spec, work_dir / "download")
    else:
        path = Path(spec)
        if not path.is_file():
            raise IsoError(f"ISO not found: {path}")
    if path.suffix.lower() in ARCHIVE_SUFFIXES:
        return _extract(path, work_dir / "iso")
    return path
