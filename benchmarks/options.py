"""The command line every benchmark shares: the LiveCD, the accelerator and, for repeated boots, how many."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Optional


def benchmark_parser(doc: Optional[str], runs: Optional[int] = None) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--iso", required=True, type=Path, help="a LiveCD built from the patched tree")
    parser.add_argument("--accel", default="tcg", choices=("auto", "kvm", "tcg"),
                        help="figures are only comparable under one accelerator (default tcg)")
    if runs is not None:
        parser.add_argument("--runs", type=int, default=runs, help=f"boots to measure (default {runs})")
    return parser
