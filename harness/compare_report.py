"""A comparison as a console table, JSON and JUnit XML. Renders; decides nothing (see compare.py)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Dict, List, Optional

from dataclasses import asdict

from .compare import Comparison, SiteChange, TestChange, TestComparison, suite_summaries
from .report import xml_text

# Sites listed per test and kind in the console: the JSON and JUnit reports keep them all
SITES_SHOWN = 12


def _checks(executed: Optional[int]) -> str:
    return "-" if executed is None else str(executed)


def _baseline_checks(test: TestComparison) -> str:
    values = sorted({e for e in test.baseline_executed if e is not None})
    if not values:
        return "-"
    return str(values[0]) if len(values) == 1 else f"{values[0]}..{values[-1]}"


def format_table(comparison: Comparison) -> str:
    rows = [("test", "baseline", "new", "checks", "new fail", "fixed", "still", "flaky", "change")]
    for test in comparison.tests:
        statuses = sorted(set(test.baseline_statuses))
        rows.append((test.name, "/".join(statuses), test.new_status,
                     f"{_baseline_checks(test)} -> {_checks(test.new_executed)}",
                     str(len(test.new_failures) + len(test.more_failures)), str(len(test.fixed)),
                     str(len(test.still_failing)), str(len(test.flaky)),
                     test.change.value.upper() + (f": {test.reason}" if test.reason else "")))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    lines = ["  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row[:-1])) + "  " + row[-1] for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths) + "  ------")
    for test in comparison.tests:
        detail = _details(test)
        if detail:
            lines.append("")
            lines.extend(detail)
    lines.append("")
    lines.extend(format_suites(comparison))
    totals = comparison.totals()
    lines.append("")
    lines.append(f"baseline: {', '.join(str(p) for p in comparison.baselines)}")
    lines.append(f"new:      {comparison.new}")
    lines.append(f"{totals['tests']} test(s), {totals['compared']} compared check by check; checks "
                 f"{totals['baseline_checks']} -> {totals['new_checks']}; {totals['regressed']} regressed "
                 f"({totals['new_failures']} new failure site(s)), {totals['fixed']} fixed, {totals['still_failing']} "
                 f"still failing, {totals['flaky']} flaky site(s), {totals['flaky_tests']} flaky test(s)")
    return "\n".join(lines)


def format_suites(comparison: Comparison) -> List[str]:
    """The per-scenario table: tests, checks, new failure sites, fixed, flaky, and the time its tests took."""
    rows = [("suite", "tests", "regressed", "checks", "new fail", "fixed", "still", "flaky", "test time")]
    for suite in suite_summaries(comparison):
        rows.append((suite.scenario, str(suite.tests), str(suite.regressed),
                     f"{suite.baseline_checks} -> {suite.new_checks}", str(suite.new_failures), str(suite.fixed),
                     str(suite.still_failing), f"{suite.flaky} ({suite.flaky_tests} test(s))",
                     f"{suite.baseline_seconds:.0f} s -> {suite.new_seconds:.0f} s"))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return lines


def _details(test: TestComparison) -> List[str]:
    lines: List[str] = []
    kinds = [("NEW", test.new_failures), ("MORE", test.more_failures), ("FIXED", test.fixed),
             ("FLAKY", test.flaky)]
    for label, sites in kinds:
        for site in sites[:SITES_SHOWN]:
            counts = ",".join(str(c) for c in site.baseline_counts)
            lines.append(f"  {label:5} {test.name} {site.site}: baseline {counts}, new {site.new_count}")
            for text in site.new_lines[:1] if label in ("NEW", "MORE") else site.baseline_lines[:1]:
                lines.append(f"        {'new' if label in ('NEW', 'MORE') else 'baseline'}: {text}")
            if label == "MORE":
                lines.extend(f"        baseline: {text}" for text in site.baseline_lines[:1])
        if len(sites) > SITES_SHOWN:
            lines.append(f"  {label:5} {test.name}: {len(sites) - SITES_SHOWN} more (see the JSON report)")
    if lines:
        lines.insert(0, f"{test.name} ({test.scenario or 'no scenario'}): {test.change.value}, {test.reason}")
    return lines


def _site_json(site: SiteChange) -> Dict[str, object]:
    return {"site": site.site, "baseline_counts": site.baseline_counts, "new_count": site.new_count,
            "baseline_lines": site.baseline_lines, "new_lines": site.new_lines}


def to_json(comparison: Comparison) -> Dict[str, object]:
    return {
        "exit_code": comparison.exit_code,
        "baselines": [str(p) for p in comparison.baselines],
        "new": str(comparison.new),
        "totals": comparison.totals(),
        "suites": [asdict(suite) for suite in suite_summaries(comparison)],
        "tests": [{
            "name": t.name, "scenario": t.scenario, "change": t.change.value, "reason": t.reason,
            "baseline_statuses": t.baseline_statuses, "new_status": t.new_status,
            "baseline_executed": t.baseline_executed, "new_executed": t.new_executed,
            "new_failures": [_site_json(s) for s in t.new_failures],
            "more_failures": [_site_json(s) for s in t.more_failures],
            "fixed": [_site_json(s) for s in t.fixed],
            "still_failing": [_site_json(s) for s in t.still_failing],
            "flaky": [_site_json(s) for s in t.flaky],
        } for t in comparison.tests],
    }


def write_json(path: Path, comparison: Comparison) -> None:
    Path(path).write_text(json.dumps(to_json(comparison), indent=2) + "\n")


def _site_text(label: str, sites: List[SiteChange]) -> List[str]:
    lines = []
    for site in sites:
        lines.append(f"{label} {site.site}: baseline {','.join(map(str, site.baseline_counts))}, new {site.new_count}")
        lines.extend(f"  new: {text}" for text in site.new_lines)
        lines.extend(f"  baseline: {text}" for text in site.baseline_lines)
    return lines


def to_junit(comparison: Comparison) -> ET.ElementTree:
    """A test case per test: a failure where it regressed, skipped where it could not be compared,
    the flaky and fixed sites as its output."""
    suites = ET.Element("testsuites", name="reactos-silo-harness compare")
    by_scenario: Dict[str, List[TestComparison]] = {}
    for test in comparison.tests:
        by_scenario.setdefault(test.scenario or "no scenario", []).append(test)
    for scenario, tests in by_scenario.items():
        suite = ET.SubElement(suites, "testsuite", name=xml_text(f"compare {scenario}"), tests=str(len(tests)))
        failures = skipped = 0
        for test in tests:
            case = ET.SubElement(suite, "testcase", classname=xml_text(f"compare.{scenario}"), name=xml_text(test.name))
            other = _site_text("FIXED", test.fixed) + _site_text("FLAKY", test.flaky)
            if other:
                ET.SubElement(case, "system-out").text = xml_text("\n".join(other))
            if test.regressed:
                failures += 1
                node = ET.SubElement(case, "failure", message=xml_text(test.reason), type="regression")
                node.text = xml_text("\n".join(_site_text("NEW", test.new_failures)
                                               + _site_text("MORE", test.more_failures)))
            elif test.change in (TestChange.NEW_TEST, TestChange.STILL_BROKEN):
                skipped += 1
                ET.SubElement(case, "skipped", message=xml_text(f"{test.change.value}: {test.reason}"))
        suite.set("failures", str(failures))
        suite.set("errors", "0")
        suite.set("skipped", str(skipped))
    tree = ET.ElementTree(suites)
    ET.indent(tree)
    return tree


def write_junit(path: Path, comparison: Comparison) -> None:
    to_junit(comparison).write(path, encoding="utf-8", xml_declaration=True)
