"""The command line every benchmark shares: the LiveCD, the accelerator, for repeated boots how many, and
for figures measured inside a booted guest, whether its boots start from a snapshot.

A guest's speed varies between cold boots of one ISO by up to 2x (silo starts and the host's own
SMSS -> winlogon time together, their ratio steady: something settled at boot), so guest figures are
compared from one snapshot, where every boot is the same machine; --cold measures cold boots instead.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Optional

from harness.boot import accelerators_to_try
from harness.snapshot import Snapshot, SnapshotStore, default_cache_dir, shape_for

GUEST_MEMORY_MB = 1024


def benchmark_parser(doc: Optional[str], runs: Optional[int] = None) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--iso", required=True, type=Path, help="a LiveCD built from the patched tree")
    parser.add_argument("--accel", default="tcg", choices=("auto", "kvm", "tcg"),
                        help="figures are only comparable under one accelerator (default tcg)")
    if runs is not None:
        parser.add_argument("--runs", type=int, default=runs, help=f"boots to measure (default {runs})")
    return parser


def add_snapshot_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--cold", action="store_true",
                        help="boot every guest cold (default: from the harness's snapshot of the ISO, made if needed)")


def snapshot_for(args: argparse.Namespace) -> Optional[Snapshot]:
    """The snapshot the boots start from (None with --cold); exits with the reason if there is none."""
    if args.cold:
        return None
    made = SnapshotStore(default_cache_dir()).ensure(args.iso, shape_for(args.accel, GUEST_MEMORY_MB,
                                                                         "qemu-system-i386"),
                                                     accelerators_to_try(args.accel))
    if made.snapshot is None:
        raise SystemExit(f"no snapshot of {args.iso}: {made.detail} (use --cold)")
    print(f"boots start from the snapshot in {made.snapshot.directory} ({made.action})", flush=True)
    return made.snapshot
