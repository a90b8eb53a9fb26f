"""Pictures of per-silo figures over time, drawn from a test's ``silo-sample`` series.

A prison test prints, every half second, one line per silo it watches:
``silo-sample: test=<name> silo=<id> t_ms=<ms> cpu_ms=... share=<%> commit_kb=... peak_kb=... processes=...``.
This module turns them into one SVG per guest test in the run directory: the CPU share of each silo,
its commit and peak commit, and its process count, against time, so a person sees a capped spinner
hold its line or a fork bomb meet its limit. Plain SVG, no plotting library.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

SAMPLE_METRIC = "silo-sample"

PLOT_WIDTH = 546
PANEL_HEIGHT = 170
MARGIN_LEFT = 64
# The legend beside each panel: its line, then the label, about this wide a character at font-size 11
LEGEND_LINE = 32
LEGEND_CHAR_WIDTH = 6.6
LEGEND_PAD = 12
MARGIN_TOP = 34
PANEL_GAP = 46
COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b")


@dataclass
class Track:
    """One silo's samples within one phase of a test (the ``test=`` field)."""

    phase: str
    silo: str
    t_s: List[float] = field(default_factory=list)
    share: List[float] = field(default_factory=list)
    commit_mb: List[float] = field(default_factory=list)
    peak_mb: List[float] = field(default_factory=list)
    processes: List[float] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"{self.phase} silo {self.silo}"


def _number(text: Optional[str]) -> Optional[float]:
    try:
        return float(text) if text is not None else None
    except ValueError:
        return None


def tracks_from_series(samples: Iterable[Dict[str, str]]) -> List[Track]:
    """Groups sample lines by phase and silo, in the order they first appear; bad lines are skipped."""
    tracks: Dict[Tuple[str, str], Track] = {}
    for sample in samples:
        t_ms = _number(sample.get("t_ms"))
        if t_ms is None:
            continue
        key = (sample.get("test", "?"), sample.get("silo", "?"))
        track = tracks.setdefault(key, Track(*key))
        track.t_s.append(t_ms / 1000.0)
        track.share.append(_number(sample.get("share")) or 0.0)
        track.commit_mb.append((_number(sample.get("commit_kb")) or 0.0) / 1024.0)
        track.peak_mb.append((_number(sample.get("peak_kb")) or 0.0) / 1024.0)
        track.processes.append(_number(sample.get("processes")) or 0.0)
    return list(tracks.values())


def _nice_top(value: float) -> float:
    """A round axis maximum at or above value."""
    if value <= 0:
        return 1.0
    step = 1.0
    while step * 10 < value:
        step *= 10
    for factor in (1, 2, 2.5, 5, 10):
        if step * factor >= value:
            return step * factor
    return step * 10


def time_label(seconds: float, t_max: float) -> str:
    """A time axis label: tenths on a run shorter than ten seconds, so its five steps read apart."""
    return f"{seconds:.1f} s" if t_max < 10 else f"{seconds:.0f} s"


def legend_width(labels: Iterable[str]) -> int:
    """Room right of the panels for the longest legend label, so none is cut at the picture's edge."""
    return int(LEGEND_LINE + LEGEND_CHAR_WIDTH * max((len(label) for label in labels), default=0) + LEGEND_PAD)


def _panel(out: List[str], top: float, title: str, unit: str, t_max: float, y_max: float,
           lines: Sequence[Tuple[str, str, Sequence[float], Sequence[float], bool]]) -> None:
    """One panel: axes, grid, and each line (label, colour, xs, ys, dashed)."""
    left, right = MARGIN_LEFT, MARGIN_LEFT + PLOT_WIDTH
    bottom = top + PANEL_HEIGHT
    out.append(f'<text x="{left}" y="{top - 8}" font-size="13" font-weight="bold">{html.escape(title)}</text>')
    out.append(f'<rect x="{left}" y="{top}" width="{right - left}" height="{PANEL_HEIGHT}" fill="none" stroke="#999"/>')
    for i in range(5):
        value = y_max * i / 4
        y = bottom - PANEL_HEIGHT * i / 4
        out.append(f'<line x1="{left}" y1="{y:.1f}" x2="{right}" y2="{y:.1f}" stroke="#eee"/>')
        out.append(f'<text x="{left - 6}" y="{y + 4:.1f}" font-size="11" text-anchor="end">{value:g}{unit}</text>')
    for i in range(6):
        x = left + (right - left) * i / 5
        out.append(f'<text x="{x:.1f}" y="{bottom + 14}" font-size="11" text-anchor="middle">'
                   f'{time_label(t_max * i / 5, t_max)}</text>')
    for index, (label, colour, xs, ys, dashed) in enumerate(lines):
        points = " ".join(f"{left + (right - left) * x / t_max:.1f},{bottom - PANEL_HEIGHT * min(y, y_max) / y_max:.1f}"
                          for x, y in zip(xs, ys))
        dash = ' stroke-dasharray="5,3"' if dashed else ""
        out.append(f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="1.8"{dash}/>')
        legend_y = top + 14 + 16 * index
        out.append(f'<line x1="{right + 10}" y1="{legend_y - 4}" x2="{right + 28}" y2="{legend_y - 4}" '
                   f'stroke="{colour}" stroke-width="2"{dash}/>')
        out.append(f'<text x="{right + 32}" y="{legend_y}" font-size="11">{html.escape(label)}</text>')


def render_svg(title: str, tracks: Sequence[Track]) -> str:
    """The picture of the tracks: CPU share, commit (solid) and peak commit (dashed), processes."""
    t_max = max((max(t.t_s) for t in tracks if t.t_s), default=1.0) or 1.0
    share_max = max(100.0, max((max(t.share) for t in tracks if t.share), default=0.0))
    memory_max = _nice_top(max((max(t.peak_mb + t.commit_mb) for t in tracks if t.t_s), default=1.0))
    process_max = _nice_top(max((max(t.processes) for t in tracks if t.processes), default=1.0))
    height = MARGIN_TOP + 3 * PANEL_HEIGHT + 2 * PANEL_GAP + 30
    width = MARGIN_LEFT + PLOT_WIDTH + legend_width(f"{t.label} peak" for t in tracks)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'font-family="sans-serif" viewBox="0 0 {width} {height}">',
           f'<rect width="{width}" height="{height}" fill="white"/>',
           f'<text x="{MARGIN_LEFT}" y="18" font-size="15" font-weight="bold">{html.escape(title)}</text>']
    colours = {t.label: COLOURS[i % len(COLOURS)] for i, t in enumerate(tracks)}
    top = MARGIN_TOP + 12
    _panel(out, top, "CPU share of one processor", "%", t_max, share_max,
           [(t.label, colours[t.label], t.t_s, t.share, False) for t in tracks])
    top += PANEL_HEIGHT + PANEL_GAP
    _panel(out, top, "Commit (solid) and peak commit (dashed)", " MB", t_max, memory_max,
           [(t.label, colours[t.label], t.t_s, t.commit_mb, False) for t in tracks]
           + [(f"{t.label} peak", colours[t.label], t.t_s, t.peak_mb, True) for t in tracks])
    top += PANEL_HEIGHT + PANEL_GAP
    _panel(out, top, "Processes", "", t_max, process_max,
           [(t.label, colours[t.label], t.t_s, t.processes, False) for t in tracks])
    out.append("</svg>")
    return "\n".join(out) + "\n"


def write_test_chart(directory: Path, test_name: str, series: Dict[str, List[Dict[str, str]]]) -> Optional[Path]:
    """Writes ``<module>-<test>-samples.svg`` when the test printed samples; returns its path."""
    tracks = tracks_from_series(series.get(SAMPLE_METRIC, []))
    if not tracks:
        return None
    path = Path(directory) / f"{test_name.replace(':', '-')}-samples.svg"
    path.write_text(render_svg(f"{test_name}: per-silo figures over time", tracks))
    return path
