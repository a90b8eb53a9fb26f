"""Scenarios of job limits, accounting and messages, and of prisons built on them (issue 15).

The guest side is silotest.exe's limits test (reactos-patches/modules/harness/silotest/limits.c: plain
jobs of the host) and its prison tests (prison.c: tenants misbehaving inside server silos started by
SMSS, each with a host-side control). The prisons may take the guest down if a limit fails (an
unlimited fork bomb reaches the image share limit and bugchecks the host), so each gets a boot of its
own. Their tests print ``silo-sample`` lines (a silo's CPU time and share, commit, processes and I/O
over time), which the harness keeps as series and draws in the run directory.
"""

# The CPU scenario measures two 10 s windows and its controls; the fork bomb's silos start and end twice
PRISON_TEST_TIMEOUT_S = 300

SCENARIOS = [
    dict(name="job-limits",
         description="plain jobs: NEW/EXIT/ABNORMAL_EXIT/ACTIVE_PROCESS_ZERO messages once and in order, "
                     "accounting of running and exited processes (times, page faults, exact I/O), the active "
                     "process limit (refused with ERROR_NOT_ENOUGH_QUOTA, told once), process and job commit "
                     "limits (peak within one chunk of the limit, exact commit on free and recommit), "
                     "notification limits, priority class, affinity, die on unhandled exception, per-process "
                     "and per-job user time (terminate or post), nested jobs and breakaway, the guard pattern, "
                     "CPU rate control; each limit with a control that shows it is what stopped the process",
         tests=("silotest:limits",),
         own_boot=True, issue="15", test_timeout_s=PRISON_TEST_TIMEOUT_S),
    dict(name="prison-forkbomb",
         description="a fork bomb inside an SMSS-started server silo stops at the silo's active process limit "
                     "with ERROR_NOT_ENOUGH_QUOTA, told once; the host creates processes meanwhile; the control "
                     "silo without the limit lets the same bomb make more",
         tests=("silotest:prisonbomb",),
         own_boot=True, issue="15", test_timeout_s=PRISON_TEST_TIMEOUT_S),
    dict(name="prison-guikill",
         description="kills that meet a process as its first thread becomes a GUI thread: a tenant of a server "
                     "silo kills 16 bursts of 12 children resumed together, each burst at a later point of its "
                     "start, and the host ends 8 silos in the middle of a fork bomb's starting children; the host "
                     "runs on (without patch 0036 win32k bugchecks here), its processes and job objects as "
                     "before, and still starts a process",
         tests=("silotest:prisonguikill",),
         own_boot=True, issue="15", test_timeout_s=PRISON_TEST_TIMEOUT_S),
    dict(name="prison-memory",
         description="a memory hog inside a server silo gets ERROR_COMMITMENT_LIMIT at the silo's job memory "
                     "limit (and at a process limit), its peak within one chunk of it, told once, the host's "
                     "available memory above a floor; paging-file sections meet the same limit; the control "
                     "hog on the host commits past it",
         tests=("silotest:prisonmemory",),
         own_boot=True, issue="15", test_timeout_s=PRISON_TEST_TIMEOUT_S),
    dict(name="prison-cpu",
         description="a spinner in a server silo capped at 20% gets 20% +-5 points of the processor over 10 s "
                     "beside a host spinner (the control lifts the cap); two silos weighted 8 and 2 share a "
                     "busy processor 80:20 +-10 points",
         tests=("silotest:prisoncpu",),
         own_boot=True, issue="15", test_timeout_s=PRISON_TEST_TIMEOUT_S),
    dict(name="prison-guard",
         description="the seed's guard inside a server silo: tenants in a second, kill-on-close job nested in "
                     "the silo, its only handle the guard's; the guard's death ends every tenant and the silo "
                     "runs on; the control job without kill on close leaves them",
         tests=("silotest:prisonguard",),
         own_boot=True, issue="15", test_timeout_s=PRISON_TEST_TIMEOUT_S),
    dict(name="prison-messages",
         description="every message of a server silo's life, read by its host: NEW once before each "
                     "process's exit (or abnormal exit), the active process limit once, ACTIVE_PROCESS_ZERO once "
                     "after the last exit, SILO_TERMINATED last, nothing else",
         tests=("silotest:prisonmessages",),
         own_boot=True, issue="15", test_timeout_s=PRISON_TEST_TIMEOUT_S),
    dict(name="prison-escape",
         description="a SYSTEM tenant of a server silo against its prison's limits: setting limits on every job it "
                     "can name, breaking away through a nested job, a fork bomb from a nested job, the realtime "
                     "class with a time-critical spinner kept resumed, taking a host process it is handed into a "
                     "job of its own, 2000 jobs with rate control; each with the host's proof that nothing "
                     "changed (limits, class, share, the host process outside any job, a host timer's lateness) "
                     "and a control",
         tests=("silotest:prisonescape",),
         own_boot=True, issue="15", test_timeout_s=PRISON_TEST_TIMEOUT_S),
]
