"""Scenarios of the silo object model and namespace (issues: silo objects, job membership, info classes,
DDIs; each silo sees its own object namespace).

The guest programs are in reactos-patches/modules/harness/silotest (user mode) and
reactos-patches/modules/harness/silodrv (the kernel-mode DDI checks silotest drives).
"""

SCENARIOS = [
    dict(name="silo-jobs",
         description="job membership: assign, inherit, break away, leave on exit, terminate, kill on close, limits",
         tests=("silotest:jobs",),
         issue="3"),
    dict(name="silo-objects",
         description="silo information classes 30, 35-41, 45 with their negative cases, from the host and from inside a server silo",
         tests=("silotest:objects",),
         issue="3"),
    dict(name="silo-ddi",
         description="the silo DDIs in kernel mode: queries, attach/detach, contexts, monitors, PsTerminateServerSilo",
         tests=("silotest:ddi",),
         issue="3"),
    dict(name="silo-fuzz",
         description="10,000 seeded malformed calls of the silo info classes and 10,000 of the context DDIs; "
                     "no bugcheck, no leaked job object, \\Silos entry, handle or context",
         tests=("silotest:fuzz",),
         issue="3"),
    dict(name="silo-namespace",
         description="a server silo's processes resolve names at \\Silos\\<id>: named events, mutexes, semaphores and "
                     "sections stay in the silo both ways, \\??\\Q: follows the silo's device map, nothing is created "
                     "in a host directory through the shadow, GLOBALROOT, an inherited handle or a link; prints the "
                     "lookup cost inside the silo against the host",
         tests=("silotest:namespace",),
         issue="4"),
    dict(name="silo-bench",
         description="benchmark: process creation inside a server silo against the host (prints the ratio)",
         tests=("silotest:bench",),
         issue="3", tags=("benchmark",)),
]
