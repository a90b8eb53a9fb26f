"""Scenarios: named sets of guest tests, with what a boot that runs them needs.

A scenario lists ``module:test`` names of Wine-format test programs on the LiveCD
(``%SystemRoot%\\bin\\<module>.exe <test>``). Scenarios that may take the guest down (negative
controls, containment) get a boot of their own; the others share one boot per run.
Scenarios marked ``negative`` prove the harness's failure paths and only run when named; so do
benchmarks and heavy scenarios (tags ``benchmark``, ``heavy``): they measure, and take minutes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, List, Mapping, Sequence, Tuple

from ..focus import parse_focus_list
from ..hostcheck import CHECKS
from ..verdict import Outcome
from . import (boundary, contain, density, hostregression, lifecycle, prison, rostests, selftest, silo, silonetwork,
               siloregistry, smss, workspace)


@dataclass(frozen=True)
class Scenario:
    name: str
    description: str
    tests: Tuple[str, ...]
    own_boot: bool = False
    negative: bool = False
    shuts_down: bool = False    # the guest shuts itself down at the end: the boot watches until QEMU exits
    expect: str = ""            # a negative control's expected boot outcome (an Outcome value)
    issue: str = ""
    tags: Tuple[str, ...] = field(default_factory=tuple)
    # The guest runner's limit per test when the run does not set one (0: the runner's own, 120 s)
    test_timeout_s: int = 0
    # Per test, the source lines of a Wine test file whose failures decide it (see focus.py)
    focus: Tuple[Tuple[str, Tuple[str, ...]], ...] = field(default_factory=tuple)
    # The boot gets a new FAT32 scratch disk (scratch.py) that the host seeds before and reads after it;
    # such a boot starts cold (a saved machine has no disk) and runs alone
    scratch_disk: bool = False
    # Per test, the host checks (hostcheck.py) that must hold on the scratch disk after the boot
    host_checks: Tuple[Tuple[str, Tuple[str, ...]], ...] = field(default_factory=tuple)

    @property
    def by_name_only(self) -> bool:
        """Left out of the default suite: negative controls, benchmarks and heavy scenarios."""
        return self.negative or bool(NAMED_ONLY_TAGS.intersection(self.tags))


NAMED_ONLY_TAGS = frozenset({"benchmark", "heavy", "rostests"})


def _focus_pairs(focus: Mapping[str, Sequence[str]]) -> Tuple[Tuple[str, Tuple[str, ...]], ...]:
    return tuple((test, tuple(ranges)) for test, ranges in focus.items())


def _check_scratch(scenario: Scenario) -> None:
    if scenario.scratch_disk and not scenario.own_boot:
        raise ValueError(f"scenario {scenario.name} needs a scratch disk, so a boot of its own (own_boot)")
    for test, names in scenario.host_checks:
        if not scenario.scratch_disk:
            raise ValueError(f"scenario {scenario.name} has host checks but no scratch disk")
        if test not in scenario.tests:
            raise ValueError(f"scenario {scenario.name} checks a test it does not run: {test}")
        unknown = [name for name in names if name not in CHECKS]
        if unknown:
            raise ValueError(f"scenario {scenario.name}: unknown host check(s) {', '.join(unknown)}")


def _collect() -> Dict[str, Scenario]:
    registry: Dict[str, Scenario] = {}
    for module in (selftest, silo, siloregistry, silonetwork, contain, smss, boundary, lifecycle, density, prison,
                   rostests, hostregression, workspace):
        for entry in module.SCENARIOS:
            entry = dict(entry)
            entry["focus"] = _focus_pairs(entry.get("focus", {}))
            entry["host_checks"] = _focus_pairs(entry.get("host_checks", {}))
            scenario = Scenario(**entry)
            _check_scratch(scenario)
            for test, ranges in scenario.focus:
                if test not in scenario.tests:
                    raise ValueError(f"scenario {scenario.name} focuses a test it does not run: {test}")
                parse_focus_list(ranges)
            if scenario.expect and scenario.expect not in {outcome.value for outcome in Outcome}:
                raise ValueError(f"scenario {scenario.name} expects an unknown outcome {scenario.expect!r}")
            if scenario.name in registry:
                raise ValueError(f"scenario {scenario.name} defined twice")
            registry[scenario.name] = scenario
    return registry


SCENARIOS: Dict[str, Scenario] = _collect()


# Names that select every scenario carrying them as a tag (``harness run -s host-regression``)
SETS: Dict[str, str] = {
    hostregression.SET: "ReactOS's own tests of what the series touches, for 'harness compare' against a base run",
}


class UnknownScenario(KeyError):
    pass


def set_members(name: str) -> List[Scenario]:
    return [s for s in SCENARIOS.values() if name in s.tags]


def select(names: Sequence[str]) -> List[Scenario]:
    """The named scenarios and sets (in order, each once), or the default suite when no name is given."""
    if not names:
        return [s for s in SCENARIOS.values() if not s.by_name_only]
    chosen: List[Scenario] = []
    for name in names:
        if name in SCENARIOS:
            found = [SCENARIOS[name]]
        elif name in SETS:
            found = set_members(name)
        else:
            raise UnknownScenario(f"unknown scenario {name!r}; 'harness list' shows them")
        chosen.extend(s for s in found if s not in chosen)
    return chosen


def plan_boots(scenarios: Sequence[Scenario]) -> List[List[Scenario]]:
    """Groups scenarios into boots: shareable ones together (first), each own_boot one alone."""
    shared = [s for s in scenarios if not s.own_boot and not s.shuts_down]
    alone = [[s] for s in scenarios if s.own_boot or s.shuts_down]
    return ([shared] if shared else []) + alone
