"""Scenarios of the silo life cycle under concurrency (issue 12: every interleaving of start, attach,
lookup and termination ends cleanly).

The guest side is silotest.exe's race* and hostshutdown tests (reactos-patches/modules/harness/silotest/race.c)
with the kernel half in silodrv.sys (silodrv/race.c); the kernel side is the series' life-cycle patch. Each gets
a boot of its own: a lost race may hang or take the guest down, and hostshutdown powers the guest off.
"""

SCENARIOS = [
    dict(name="silo-race",
         description="races, each a fixed number of rounds within a time budget: server-silo initialize against "
                     "NtTerminateJobObject; a monitor that terminates the silo from its create callback; a silo's "
                     "own process killing its critical process or thread, or closing the silo's last handle; a "
                     "querying monitor started while silos come and go; an attached driver thread looking names up "
                     "while the silo is torn down; teardown of 80-deep and 700-wide permanent trees; four host threads starting and ending silos at "
                     "once. Every round: "
                     "one create and one terminate callback per monitor, TERMINATED, the delete event, one "
                     "JOB_OBJECT_MSG_SILO_TERMINATED read with GetQueuedCompletionStatus, \\Silos\\<id> gone; "
                     "processes, handles, job objects, the pool blocks under the silo tags (exactly) and pool pages back to "
                     "their baseline; prints race-<name>: rounds= ms=",
         tests=("silotest:racelimits", "silotest:raceinit", "silotest:racekill", "silotest:racemonitor",
                "silotest:racelookup", "silotest:racetree", "silotest:racechurn"),
         own_boot=True, issue="12"),
    dict(name="silo-host-shutdown",
         description="the host shuts down (NtShutdownSystem, restart) with two server silos running: each silo "
                     "ends first (terminate callbacks, TERMINATED with STATUS_SYSTEM_SHUTDOWN, delete event, one "
                     "completion message, \\Silos\\<id> gone), the test reports it, then the guest shuts down "
                     "(QEMU exits: -no-reboot)",
         tests=("silotest:hostshutdown",),
         own_boot=True, shuts_down=True, issue="12"),
]
