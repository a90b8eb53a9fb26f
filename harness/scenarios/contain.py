"""Scenarios of containment (issue: a dying or misbehaving server silo ends itself, never the host).

The guest side is silotest.exe's contain, soak and hostcritical tests
(reactos-patches/modules/harness/silotest/contain.c) and its csrsssoak test (csrss.c). Each may take the guest down if containment
is broken, so each gets a boot of its own.
"""

SCENARIOS = [
    dict(name="contain",
         description="a critical process dying (by itself or killed by the host), shutdown/reboot/power-off/sleep "
                     "and a shutdown hard error inside a server silo end only that silo (TERMINATED, exit status, "
                     "delete event, completion message, \\Silos entry gone); a second silo runs on",
         tests=("silotest:contain",),
         own_boot=True, issue="6"),
    dict(name="contain-soak",
         description="100 silo start -> critical crash -> teardown cycles in one boot; processes, handles, "
                     "job objects, \\Silos entries and non-paged pool come back",
         tests=("silotest:soak",),
         own_boot=True, issue="6"),
    dict(name="contain-csrss-soak",
         description="100 cycles of a server silo started by SMSS whose CSRSS is killed, in one boot; each silo "
                     "ends with STATUS_SYSTEM_PROCESS_TERMINATED; processes, handles, job objects, \\Silos entries "
                     "and non-paged pool come back",
         tests=("silotest:csrsssoak",),
         own_boot=True, issue="6"),
    dict(name="contain-host-critical",
         description="negative control: a host critical process dying must still bugcheck the host "
                     "(CRITICAL_OBJECT_TERMINATION, the harness answers the (bic) prompt with c)",
         tests=("silotest:hostcritical",),
         own_boot=True, negative=True, expect="bugcheck", issue="6"),
]
