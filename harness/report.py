"""Results as a console table, JUnit XML and JSON. Reads records; decides nothing."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Sequence

from .boot import BootRecord
from .scenarios import Scenario
from .snapshot import SnapshotResult
from .verdict import BootVerdict, Outcome, TestResult, TestStatus


@dataclass
class ScenarioResult:
    """A scenario's tests, each with the boot that ran it (a crash's remaining tests run in a fresh
    boot). ``boot`` is the scenario's first boot."""

    scenario: Scenario
    boot: BootRecord
    tests: List[TestResult]
    boot_of_test: Dict[str, BootRecord] = field(default_factory=dict)

    def boot_for(self, test: Optional[TestResult]) -> BootRecord:
        return self.boot_of_test.get(test.name, self.boot) if test is not None else self.boot

    @property
    def boots(self) -> List[BootRecord]:
        seen: List[BootRecord] = [self.boot]
        for boot in self.boot_of_test.values():
            if boot not in seen:
                seen.append(boot)
        return seen

    @property
    def expected(self) -> bool:
        """A negative control ended the way it declares (its ``expect``)."""
        return bool(self.scenario.expect) and self.boot.verdict.outcome.value == self.scenario.expect

    @property
    def passed(self) -> bool:
        if self.scenario.expect:
            return self.expected
        return bool(self.tests) and all(t.status is TestStatus.PASSED for t in self.tests) and all(
            boot.verdict.outcome is not Outcome.INFRA for boot in self.boots)

    @property
    def status(self) -> str:
        if self.scenario.expect:
            return "EXPECTED" if self.expected else f"UNEXPECTED-{self.boot.verdict.outcome.value.upper()}"
        if self.passed:
            return "PASS"
        outcomes = [boot.verdict.outcome for boot in self.boots]
        crash = next((o for o in outcomes if o not in (Outcome.PASS, Outcome.TEST_FAILURE)), None)
        return crash.value.upper() if crash is not None else "FAIL"


def scenario_results(scenarios: Sequence[Scenario], chains: Sequence[Sequence[BootRecord]],
                     boot_of: Dict[str, int]) -> List[ScenarioResult]:
    """Each test's result from the boot that ran it: the first of its chain (a boot, then the boots that
    resumed it) in which it began; a test no boot began keeps the last boot's not-run."""
    results = []
    for scenario in scenarios:
        chain = chains[boot_of[scenario.name]]
        tests: List[TestResult] = []
        boot_of_test: Dict[str, BootRecord] = {}
        for name in scenario.tests:
            found = [(boot, t) for boot in chain for t in boot.verdict.tests if t.name == name]
            began = [(boot, t) for boot, t in found if t.status is not TestStatus.NOT_RUN]
            if found:
                boot, test = began[0] if began else found[-1]
                tests.append(test)
                boot_of_test[name] = boot
        results.append(ScenarioResult(scenario, chain[0], tests, boot_of_test))
    return results


def run_exit_code(results: Sequence[ScenarioResult], boots: Sequence[BootRecord]) -> int:
    """0 all passed, 1 test failures, 2 the guest crashed/hung/rebooted, 125 infrastructure. A boot
    that holds only negative controls, each ending as it declares, counts as a pass."""
    codes = []
    for boot in boots:
        held = [r for r in results if boot in r.boots]
        if held and all(r.scenario.expect for r in held):
            codes.append(0 if all(r.expected for r in held) else max(boot.exit_code, 1))
        else:
            codes.append(boot.exit_code)
    codes = codes or [125]
    if 125 in codes:
        return 125
    return max(codes)


def format_table(results: Sequence[ScenarioResult], boots: Sequence[BootRecord]) -> str:
    rows = [("scenario", "test", "status", "checks", "time", "detail")]
    for result in results:
        for test in result.tests or []:
            checks = f"{test.counts.get('executed', 0) - test.counts.get('failures', 0)}/{test.counts.get('executed', 0)}" \
                if test.counts else "-"
            seconds = f"{test.seconds:.2f}s" if test.seconds is not None else "-"
            rows.append((result.scenario.name, test.name, test.status.value.upper(), checks, seconds, test.reason))
        if not result.tests:
            rows.append((result.scenario.name, "-", result.status, "-", "-", result.boot.verdict.summary))
    widths = [max(len(row[i]) for row in rows) for i in range(5)]
    lines = ["  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row[:5])) + "  " + row[5] for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths) + "  ------")
    lines.append("")
    for result in results:
        for test in result.tests:
            for name, pairs in test.metrics.items():
                # a figure means little without the accelerator it was measured under
                samples = len(test.series.get(name, ()))
                lines.append(f"metric {test.name} {name} ({result.boot.accel or 'no accelerator'}): "
                             + " ".join(f"{k}={v}" for k, v in pairs.items())
                             + (f"  [last of {samples} samples]" if samples > 1 else ""))
    if any(test.metrics for result in results for test in result.tests):
        lines.append("")
    for boot in boots:
        v = boot.verdict
        start = ", from snapshot" if boot.start == "snapshot" else ""
        lines.append(f"boot {boot.name}: {v.outcome.value.upper()} ({boot.accel or 'no accelerator'}{start}) {v.summary}")
        for line in v.evidence[:6]:
            lines.append(f"    evidence line {line.number}: {line.text.strip()}")
        if v.backtrace:
            lines.append("    backtrace:")
            lines.extend(f"      {text}" for text in v.backtrace[:20])
        timing = boot_timing(boot)
        if timing:
            lines.append("    " + ", ".join(f"{k} {v:.1f}s" for k, v in timing.items()))
    return "\n".join(lines)


def boot_timing(boot: BootRecord) -> Dict[str, float]:
    t = boot.transcript
    if t is None:
        return {}
    marks = {"snapshot loaded": boot.restore_s, "kernel banner": t.banner_s, "user mode (Boot took)": t.boot_took_s,
             "runner start": t.runner_start_s, "verdict": t.done_s}
    return {k: v for k, v in marks.items() if v is not None}


def _line_json(line) -> Dict[str, object]:
    return {"line": line.number, "time": round(line.time, 3), "text": line.text}


def _verdict_json(v: BootVerdict) -> Dict[str, object]:
    return {
        "outcome": v.outcome.value,
        "exit_code": v.exit_code,
        "summary": v.summary,
        "evidence": [_line_json(line) for line in v.evidence],
        "bugcheck": None if v.bugcheck is None else {
            "code": f"0x{v.bugcheck.code:08X}", "name": v.bugcheck.name,
            "parameters": [f"0x{p:08X}" for p in v.bugcheck.parameters], "driver": v.bugcheck.driver},
        "backtrace": v.backtrace,
        "commit": v.commit,
        "command_line": v.command_line,
        "tests": [{
            "name": t.name, "status": t.status.value, "reason": t.reason, "counts": t.counts,
            "seconds": t.seconds,
            "exit_status": None if t.exit_status is None else f"0x{t.exit_status:08X}",
            "evidence": [_line_json(line) for line in t.evidence],
            "metrics": t.metrics,
            "series": t.series,
            "unjudged": [_line_json(line) for line in t.unjudged],
            "failed_checks": [_line_json(line) for line in t.failed_checks],
        } for t in v.tests],
    }


def to_json(results: Sequence[ScenarioResult], boots: Sequence[BootRecord], exit_code: int,
            snapshot: Optional[SnapshotResult] = None, charts: Sequence[Path] = ()) -> Dict[str, object]:
    return {
        "exit_code": exit_code,
        "charts": [str(path) for path in charts],
        "snapshot": None if snapshot is None else {
            "action": snapshot.action, "detail": snapshot.detail, "seconds": round(snapshot.seconds, 2),
            "directory": str(snapshot.snapshot.directory) if snapshot.snapshot else None},
        "scenarios": [{"name": r.scenario.name, "status": r.status, "boot": r.boot.name,
                       "boots": [b.name for b in r.boots],
                       "tests": [t.name for t in r.tests]} for r in results],
        "boots": [{
            "name": b.name, "tests": b.tests, "accelerator": b.accel, "start": b.start, "cpu_s": b.cpu_s,
            "attempts": [a.__dict__ for a in b.attempts],
            "run_dir": str(b.run_dir), "qemu_command": b.qemu_command,
            "timing": boot_timing(b),
            "verdict": _verdict_json(b.verdict),
        } for b in boots],
    }


def write_json(path: Path, document: Dict[str, object]) -> None:
    path.write_text(json.dumps(document, indent=2) + "\n")


# XML 1.0 allows tab, newline, carriage return and these ranges; KDBG's escape sequences are not among them
_XML_FORBIDDEN = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(text: str) -> str:
    """Text JUnit consumers can parse: each character XML 1.0 forbids is written as ``\\xNN``."""
    return _XML_FORBIDDEN.sub(lambda match: f"\\x{ord(match.group()):02x}", text)


def _lines(lines) -> str:
    return xml_text("\n".join(lines))


def _junit_case(suite: ET.Element, classname: str, test: Optional[TestResult], boot: BootRecord) -> str:
    """Adds one testcase; returns its kind: passed, failure, error or skipped.

    Each test is judged by what happened to it: a test that passed before its boot crashed stays
    a pass, the one that was running when it crashed is the error (with the crash's evidence and
    backtrace), and one that never started is skipped as not run.
    """
    verdict = boot.verdict
    name = test.name if test is not None else "boot"
    case = ET.SubElement(suite, "testcase", classname=xml_text(classname), name=xml_text(name),
                         time=f"{(test.seconds or 0.0) if test is not None else 0.0:.3f}")
    if test is not None and test.log:
        ET.SubElement(case, "system-out").text = _lines(line.text for line in test.log)
    if test is not None and test.status is TestStatus.PASSED:
        return "passed"
    if test is not None and test.status is TestStatus.FAILED:
        node = ET.SubElement(case, "failure", message=xml_text(test.reason), type="test-failure")
        node.text = _lines(line.text for line in test.evidence)
        return "failure"
    if test is not None and test.status is TestStatus.NOT_RUN:
        ET.SubElement(case, "skipped", message=xml_text(
            f"not run: {verdict.outcome.value} in {boot.name} before it began ({verdict.summary})"))
        return "skipped"
    kind = test.status.value if test is not None else verdict.outcome.value
    message = test.reason if test is not None else verdict.summary
    if verdict.outcome not in (Outcome.PASS, Outcome.TEST_FAILURE):
        message = f"{message}; boot {boot.name}: {verdict.outcome.value}: {verdict.summary}"
    node = ET.SubElement(case, "error", message=xml_text(message), type=xml_text(kind))
    evidence = [line.text for line in (test.evidence if test is not None else [])]
    node.text = _lines(evidence + [line.text for line in verdict.evidence] + verdict.backtrace)
    return "error"


def to_junit(results: Sequence[ScenarioResult]) -> ET.ElementTree:
    suites = ET.Element("testsuites", name="reactos-silo-harness")
    for result in results:
        suite = ET.SubElement(suites, "testsuite", name=xml_text(result.scenario.name))
        cases = result.tests or [None]
        kinds = [_junit_case(suite, result.scenario.name, test, result.boot_for(test)) for test in cases]
        suite.set("tests", str(len(cases)))
        suite.set("failures", str(kinds.count("failure")))
        suite.set("errors", str(kinds.count("error")))
        suite.set("skipped", str(kinds.count("skipped")))
    tree = ET.ElementTree(suites)
    ET.indent(tree)
    return tree


def write_junit(path: Path, results: Sequence[ScenarioResult]) -> None:
    to_junit(results).write(path, encoding="utf-8", xml_declaration=True)
