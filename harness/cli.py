"""Command line: ``harness run | parse | compare | list | apply | inspect``.

Exit codes (``run`` and ``parse``), usable with ``git bisect run``:
0 every test passed; 1 a test failed; 2 the guest crashed, hung, looped or rebooted, or results are
missing; 125 infrastructure error or usage error (QEMU or the ISO missing, QMP failed, bad arguments).
``compare``: 0 nothing newly fails, 1 something does, 125 a side cannot be read or nothing compares.
"""

from __future__ import annotations

import argparse
import datetime
import os
import shutil
import signal
import sys
import threading
from pathlib import Path
from typing import Optional, Sequence

from . import patches
from .monitor import Limits
from .offline import rejudge_saved
from .protocol import parse_test_names
from .scenarios import NAMED_ONLY_TAGS, SCENARIOS, SETS, UnknownScenario, select, set_members
from .snapshot import cache_root, default_cache_dir

EXIT_INFRA = 125
EXIT_BROKEN_PIPE = 128 + 13   # what a shell reports for a command killed by SIGPIPE


def _default_out() -> Path:
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    return Path("harness-runs") / stamp


def cmd_run(args: argparse.Namespace) -> int:
    from . import run
    from .iso import IsoError
    from .sources import resolve_iso

    out_dir = Path(args.out or _default_out())
    # A downloaded or unpacked LiveCD is only needed while the boots run: it must not swell the run
    # directory a CI job uploads
    source_dir = out_dir / "source"
    try:
        scenarios = select(args.scenario or [])
    except UnknownScenario as error:
        print(f"harness: {error.args[0]}", file=sys.stderr)
        return EXIT_INFRA
    if args.test:
        from .scenarios import Scenario
        try:
            names = tuple(parse_test_names(args.test))
        except ValueError as error:
            print(f"harness: {error}", file=sys.stderr)
            return EXIT_INFRA
        scenarios = [Scenario(name="adhoc", description="tests named on the command line", tests=names)]
    if args.attach_on_crash and args.jobs != 1:
        print("harness: --attach-on-crash needs --jobs 1 (one terminal, one guest)", file=sys.stderr)
        return EXIT_INFRA
    try:
        iso = resolve_iso(args.iso, source_dir)
    except IsoError as error:
        shutil.rmtree(source_dir, ignore_errors=True)
        print(f"harness: {error}", file=sys.stderr)
        return EXIT_INFRA
    options = run.RunOptions(iso=iso, scenarios=scenarios, out_dir=out_dir, max_resumes=args.max_resumes,
                         attach_on_crash=args.attach_on_crash,
                         accel=args.accel, jobs=args.jobs, memory_mb=args.memory,
                         disk=Path(args.disk) if args.disk else None,
                         limits=Limits(deadline_s=args.deadline, inactivity_s=args.inactivity),
                         test_timeout_s=args.test_timeout, echo_console=args.echo,
                         snapshot_dir=None if args.no_snapshot else Path(args.snapshot_dir),
                         durations_file=cache_root() / "boot-durations.json")
    try:
        result = run.execute(options)
    except KeyboardInterrupt:
        print("harness: interrupted; every QEMU was stopped", file=sys.stderr)
        return 130
    finally:
        shutil.rmtree(source_dir, ignore_errors=True)
    return result.exit_code


def cmd_parse(args: argparse.Namespace) -> int:
    path = Path(args.log)
    if path.is_dir():
        # The stream the live session judged, if the harness kept it; else QEMU's raw log
        path = path / "console.log" if (path / "console.log").is_file() else path / "serial.log"
    try:
        tests = parse_test_names(args.expect or [])
    except ValueError as error:
        print(f"harness: {error}", file=sys.stderr)
        return EXIT_INFRA
    try:
        verdict, record = rejudge_saved(path, tests)
    except OSError as error:
        print(f"harness: cannot read {path}: {error}", file=sys.stderr)
        return EXIT_INFRA
    if args.symbols:
        from .symbols import symbolize_lines

        if not Path(args.symbols).is_dir():
            print(f"harness: build folder not found: {args.symbols}", file=sys.stderr)
            return EXIT_INFRA
        verdict.backtrace = symbolize_lines(verdict.backtrace, Path(args.symbols))
    if record is not None:
        print(f"(using the session record beside the log: ended by {record.end}, accelerator {record.accel})")
    print(f"{verdict.outcome.value.upper()}: {verdict.summary}")
    if verdict.commit:
        print(f"  build commit {verdict.commit}")
    if verdict.command_line:
        print(f"  boot options {verdict.command_line}")
    for line in verdict.evidence[:8]:
        print(f"  evidence line {line.number}: {line.text.strip()}")
    for test in verdict.tests:
        print(f"  {test.status.value.upper():8} {test.name}: {test.reason}")
    if verdict.backtrace:
        print("  backtrace:")
        for text in verdict.backtrace[:30]:
            print(f"    {text}")
    if args.json or args.junit:
        _write_parse_reports(args, path, verdict, record)
    return verdict.exit_code


def _write_parse_reports(args: argparse.Namespace, log: Path, verdict, record) -> None:
    """The JSON and JUnit reports a run writes, for one saved boot."""
    from .boot import BootRecord
    from .report import ScenarioResult, to_json, write_json, write_junit
    from .scenarios import Scenario

    name = log.parent.name or "boot"
    tests = [t.name for t in verdict.tests]
    boot = BootRecord(name, tests, verdict, record.accel if record else None, [], log.parent)
    results = [ScenarioResult(Scenario(name=name, description="a saved boot", tests=tuple(tests)), boot,
                              list(verdict.tests))]
    if args.json:
        write_json(Path(args.json), to_json(results, [boot], verdict.exit_code))
    if args.junit:
        write_junit(Path(args.junit), results)


def cmd_compare(args: argparse.Namespace) -> int:
    from .compare import CompareError, compare, load_run
    from .compare_report import format_table, write_json, write_junit

    if len(args.runs) < 2:
        print("harness compare: give a baseline run and a new run (several baselines find flaky checks)",
              file=sys.stderr)
        return EXIT_INFRA
    *baseline_paths, new_path = args.runs
    try:
        baselines = [load_run(Path(path)) for path in baseline_paths]
        new = load_run(Path(new_path))
    except CompareError as error:
        print(f"harness compare: {error}", file=sys.stderr)
        return EXIT_INFRA
    comparison = compare(baselines, new)
    print(format_table(comparison))
    if args.json:
        write_json(Path(args.json), comparison)
    if args.junit:
        write_junit(Path(args.junit), comparison)
    if not comparison.judged:
        print("harness compare: no test ran to its end on both sides: nothing was compared", file=sys.stderr)
        return EXIT_INFRA
    return comparison.exit_code


def cmd_list(args: argparse.Namespace) -> int:
    if args.json:
        import dataclasses
        import json

        print(json.dumps([dataclasses.asdict(scenario) for scenario in SCENARIOS.values()], indent=2))
        return 0
    width = max(len(name) for name in SCENARIOS)
    for scenario in SCENARIOS.values():
        flags = []
        if scenario.own_boot:
            flags.append("own boot")
        if scenario.negative:
            flags.append("negative control, run only by name")
        elif scenario.by_name_only:
            flags.append(f"{'/'.join(sorted(NAMED_ONLY_TAGS.intersection(scenario.tags)))}, run only by name")
        extra = f" [{', '.join(flags)}]" if flags else ""
        print(f"{scenario.name.ljust(width)}  {scenario.description}{extra}")
        print(f"{' ' * width}  tests: {', '.join(scenario.tests)}")
    for name, what in SETS.items():
        print(f"\nset {name}: {what}; runs {', '.join(s.name for s in set_members(name))}")
    return 0


def cmd_apply(args: argparse.Namespace) -> int:
    try:
        patch_set = patches.PatchSet.load(Path(args.patches) if args.patches else patches.default_patch_root())
        if args.runner_only:
            patch_set = patch_set.runner_only()
        action = patches.reverse if args.reverse else patches.apply
        done = action(Path(args.tree), patch_set, check_only=args.check)
    except patches.PatchError as error:
        print(f"harness apply: {error}", file=sys.stderr)
        return 1
    verb = "would" if args.check else "did"
    for step in done:
        print(f"{verb} {step}")
    return 0


def cmd_inspect(args: argparse.Namespace) -> int:
    import json

    from .binary import BinaryError
    from .inspect import inspect_build

    try:
        report = inspect_build(Path(args.build))
    except BinaryError as error:
        print(f"harness inspect: {error}", file=sys.stderr)
        return EXIT_INFRA
    print(json.dumps(report.to_json(), indent=2) if args.json else report.format())
    return 0 if report.ok else 1


class UsageError(Exception):
    """Bad arguments: exit 125, which ``git bisect run`` reads as "cannot test", never as "bad"."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        raise UsageError(f"{self.prog}: error: {message}")


class _HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """Keeps the module docstring's layout and shows each option's default (when it has one the help
    does not name already)."""

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        if action.default in (None, False, argparse.SUPPRESS) or "default" in text or not action.option_strings:
            return text
        return f"{text} (default: %(default)s)"


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("reactos-silo-harness")
    except PackageNotFoundError:
        return "unknown (not installed)"


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="harness", description=__doc__, formatter_class=_HelpFormatter)
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    run = sub.add_parser("run", help="boot a ReactOS LiveCD, run scenarios, judge them from COM1",
                         formatter_class=_HelpFormatter)
    run.add_argument("--iso", required=True,
                     help="the LiveCD your build produced (livecd.iso), a .7z or .zip holding it (as nightly images "
                          "are published), or an http(s) URL of either")
    run.add_argument("--scenario", "-s", action="append", help="scenario or set of scenarios to run (repeatable; 'harness list' names both); default: all but "
                          "negative controls, benchmarks, heavy ones and rostests")
    run.add_argument("--test", "-t", action="append", help="run guest test module:test directly (repeatable)")
    run.add_argument("--out", help="run directory (default: harness-runs/<timestamp>)")
    run.add_argument("--accel", choices=("auto", "kvm", "tcg"), default=os.environ.get("HARNESS_ACCEL", "auto"),
                     help="auto tries KVM and falls back to TCG when COM1 stays silent (default: auto)")
    run.add_argument("--jobs", "-j", type=int, default=1, help="boots to run at once")
    run.add_argument("--memory", type=int, default=1024, help="guest memory in MiB")
    run.add_argument("--disk", help="optional hard disk image (attached with snapshot=on)")
    run.add_argument("--deadline", type=float, default=600.0, help="seconds a boot may take in all")
    run.add_argument("--inactivity", type=float, default=120.0, help="seconds of COM1 silence that count as a hang")
    run.add_argument("--test-timeout", type=int, help="seconds the guest runner gives each test (default 120)")
    run.add_argument("--echo", action="store_true", help="echo every console line")
    run.add_argument("--no-snapshot", action="store_true",
                     help="boot every guest cold, with its plan in the boot options (default: boot the ISO once to "
                          "the runner's plan question, keep that machine state and start every boot from it)")
    run.add_argument("--snapshot-dir", default=os.environ.get("HARNESS_SNAPSHOT_DIR", str(default_cache_dir())),
                     help="where machine states are kept, one per ISO and machine shape "
                          "(default: $HARNESS_SNAPSHOT_DIR or ~/.cache/reactos-silo-harness/snapshots)")
    run.add_argument("--attach-on-crash", action="store_true",
                     help="when a boot bugchecks, enters the debugger or hangs, give this terminal the guest's "
                          "KDBG prompt over COM1 (Ctrl-] leaves; the boot is judged then); needs --jobs 1")
    run.add_argument("--max-resumes", type=int, default=2,
                     help="fresh boots for the tests a crashed boot never began")
    run.set_defaults(func=cmd_run)

    parse = sub.add_parser("parse", help="judge a saved serial log offline, with the same verdicts as run",
                           formatter_class=_HelpFormatter)
    parse.add_argument("log", help="a console.log or serial.log, or a boot's run directory (its console.log, else "
                                   "serial.log; its session.json is used too)")
    parse.add_argument("--expect", action="append", help="module:test that must have run (repeatable)")
    parse.add_argument("--json", help="write the run's results.json for this boot to this file")
    parse.add_argument("--junit", help="write the run's junit.xml for this boot to this file")
    parse.add_argument("--symbols", metavar="BUILD_DIR",
                       help="resolve the backtrace's bare <module:rva> frames (user mode too) from the .rossym "
                            "line tables of the modules in this ReactOS build folder")
    parse.set_defaults(func=cmd_parse)

    cmp = sub.add_parser("compare", help="compare a run's Wine-format checks against baseline runs: what newly "
                                         "fails, what is fixed, what is flaky", formatter_class=_HelpFormatter)
    cmp.add_argument("runs", nargs="+", metavar="RUN",
                     help="run directories (or their results.json): every one but the last is a baseline run "
                          "(give several to find flaky checks), the last is the new run")
    cmp.add_argument("--json", help="write the comparison as JSON to this file")
    cmp.add_argument("--junit", help="write the comparison as JUnit XML to this file (a failure per regressed test)")
    cmp.set_defaults(func=cmd_compare)

    lst = sub.add_parser("list", help="list the scenarios")
    lst.add_argument("--json", action="store_true", help="print them as JSON")
    lst.set_defaults(func=cmd_list)

    app = sub.add_parser("apply", help="apply reactos-patches/ to a ReactOS git checkout")
    app.add_argument("--tree", required=True, help="ReactOS checkout at the base commit")
    app.add_argument("--check", action="store_true", help="only check; change nothing")
    app.add_argument("--reverse", action="store_true", help="take the patches back out")
    app.add_argument("--runner-only", action="store_true",
                     help="only the harness's guest runner and its self-tests, no silo change: a LiveCD of "
                          "unchanged ReactOS the harness can drive (the baseline of 'harness compare')")
    app.add_argument("--patches", help=argparse.SUPPRESS)
    app.set_defaults(func=cmd_apply)

    ins = sub.add_parser("inspect", help="check a build's ntoskrnl for the silo DDIs and info classes, without booting")
    ins.add_argument("build", help="ReactOS build folder (or its ntoskrnl.exe)")
    ins.add_argument("--json", action="store_true", help="print the findings as JSON")
    ins.set_defaults(func=cmd_inspect)
    return parser


def _stop_qemus_on_signals() -> None:
    """SIGTERM or SIGHUP (a CI job cancelled, a terminal closed) ends the harness with no QEMU left behind:
    each QEMU leads its own session, so the signal does not reach it by itself. Only the main thread may
    install handlers; elsewhere (a test calling main from a thread) nothing changes."""
    if threading.current_thread() is not threading.main_thread():
        return

    def stop(signum: int, _frame) -> None:
        from .vm import kill_child_qemus

        killed = kill_child_qemus()
        print(f"harness: stopped by signal {signum}; killed {len(killed)} QEMU process(es)", file=sys.stderr)
        raise SystemExit(128 + signum)

    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, stop)


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except UsageError as error:
        print(error, file=sys.stderr)
        return EXIT_INFRA
    _stop_qemus_on_signals()
    try:
        return args.func(args)
    except BrokenPipeError:
        # Piped into head: stop quietly like other command-line tools. SIGPIPE itself stays ignored:
        # a write to a QEMU that died must be an error the harness reports, not its silent death.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_BROKEN_PIPE


if __name__ == "__main__":
    sys.exit(main())
