"""Per-silo sample series: kept in order per test, drawn as an SVG in the run directory."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from harness.chart import render_svg, tracks_from_series, write_test_chart
from harness.console import ConsoleLine
from harness.protocol import extract
from harness.verdict import judge_test

SVG = "{http://www.w3.org/2000/svg}"


def lines(*texts: str):
    return [ConsoleLine(number, float(number), text) for number, text in enumerate(texts, 1)]


def sample(t_ms: int, silo: int, share: float, commit_kb: int, processes: int, test: str = "prisoncpu") -> str:
    return (f"jobwatch.c:201: silo-sample: test={test} silo={silo} t_ms={t_ms} cpu_ms={t_ms // 5} share={share} "
            f"commit_kb={commit_kb} peak_kb={commit_kb + 100} processes={processes} read_ops=1 write_ops=2 "
            f"other_ops=3")


def test_every_sample_line_is_kept_in_order_and_the_last_is_the_metric():
    protocol = extract(lines(
        "Running Wine Test, Module: silotest, Test: prisoncpu",
        sample(0, 3, 0.0, 2048, 3),
        sample(500, 3, 21.5, 2048, 3),
        sample(1000, 3, 19.0, 4096, 4),
        "prisoncpu: 9 tests executed (0 marked as todo, 0 failures), 0 skipped.",
        "[HARNESS] exit silotest:prisoncpu status=0x00000000",
        "Test prisoncpu completed in 12.00 seconds.",
    ))
    result = judge_test("silotest:prisoncpu", protocol.run_for("silotest:prisoncpu"))
    assert [s["share"] for s in result.series["silo-sample"]] == ["0.0", "21.5", "19.0"]
    assert result.metrics["silo-sample"]["share"] == "19.0"


def test_samples_group_into_one_track_per_phase_and_silo():
    series = [dict(test="prisoncpu", silo="3", t_ms="0", share="0", commit_kb="1024", peak_kb="1024", processes="3"),
              dict(test="prisoncpu-weights", silo="4", t_ms="0", share="80", commit_kb="0", peak_kb="0", processes="3"),
              dict(test="prisoncpu-weights", silo="5", t_ms="0", share="20", commit_kb="0", peak_kb="0", processes="3"),
              dict(test="prisoncpu", silo="3", t_ms="500", share="20", commit_kb="2048", peak_kb="2048", processes="3"),
              dict(test="prisoncpu", silo="3", share="20")]  # no time: skipped
    tracks = tracks_from_series(series)
    assert [t.label for t in tracks] == ["prisoncpu silo 3", "prisoncpu-weights silo 4", "prisoncpu-weights silo 5"]
    assert tracks[0].t_s == [0.0, 0.5] and tracks[0].commit_mb == [1.0, 2.0]


def test_the_chart_is_an_svg_with_a_line_per_silo_in_each_panel(tmp_path):
    series = {"silo-sample": [dict(test="prisonbomb", silo="2", t_ms=str(t * 500), share=str(10 + t),
                                   commit_kb=str(1000 * t), peak_kb=str(1000 * t), processes=str(3 + t))
                              for t in range(10)]}
    path = write_test_chart(tmp_path, "silotest:prisonbomb", series)
    assert path == tmp_path / "silotest-prisonbomb-samples.svg"
    root = ET.parse(path).getroot()
    assert root.tag == f"{SVG}svg"
    polylines = root.findall(f".//{SVG}polyline")
    # share, commit, peak commit, processes
    assert len(polylines) == 4
    points = polylines[0].get("points").split()
    assert len(points) == 10
    texts = " ".join(t.text or "" for t in root.iter(f"{SVG}text"))
    assert "prisonbomb silo 2" in texts and "CPU share" in texts


def test_a_test_without_samples_gets_no_chart(tmp_path):
    assert write_test_chart(tmp_path, "silotest:jobs", {"soak": [{"a": "1", "b": "2"}]}) is None
    assert list(tmp_path.iterdir()) == []


def test_a_share_above_one_processor_widens_its_axis():
    svg = render_svg("t", tracks_from_series([dict(test="x", silo="1", t_ms="0", share="250", commit_kb="0",
                                                   peak_kb="0", processes="1")]))
    assert ET.fromstring(svg).tag == f"{SVG}svg"


def test_the_picture_is_wide_enough_for_its_longest_legend_label():
    short = ET.fromstring(render_svg("t", tracks_from_series([dict(test="a", silo="1", t_ms="0")])))
    long = ET.fromstring(render_svg("t", tracks_from_series([dict(test="prisoncpu-weights", silo="12", t_ms="0")])))
    assert int(long.get("width")) > int(short.get("width"))
    # the label starts right of the panel and fits: about 6.6 px a character at font-size 11
    label = next(t for t in long.iter(f"{SVG}text") if t.text == "prisoncpu-weights silo 12 peak")
    assert float(label.get("x")) + 6.6 * len(label.text) <= int(long.get("width"))


def test_a_short_run_has_time_labels_that_read_apart():
    svg = ET.fromstring(render_svg("t", tracks_from_series([dict(test="a", silo="1", t_ms=str(t)) for t in (0, 3900)])))
    axis = [t.text for t in svg.iter(f"{SVG}text") if (t.text or "").endswith(" s")][:6]
    assert axis == ["0.0 s", "0.8 s", "1.6 s", "2.3 s", "3.1 s", "3.9 s"]
    assert len(set(axis)) == 6
