"""Scenarios that prove the harness loop itself (issue: boot, run guest tests, judge from COM1).

The guest programs are in reactos-patches/modules/harness/harnesstest.
"""

SCENARIOS = [
    dict(name="smoke",
         description="the guest runner starts by itself, reports the OS version and lists the processes",
         tests=("harnesstest:version", "harnesstest:processes"),
         issue="2"),
    dict(name="selftest-failure",
         description="negative control: a deliberately failing guest test must be reported as a test failure",
         tests=("harnesstest:broken",),
         own_boot=True, negative=True, expect="test-failure", issue="2"),
    dict(name="selftest-bugcheck",
         description="negative control: a forced bugcheck (shutdown hard error, stop code 0xC000021A) must be reported as a bugcheck",
         tests=("harnesstest:bugcheck",),
         own_boot=True, negative=True, expect="bugcheck", issue="2"),
    dict(name="selftest-assert",
         description="negative control: a user-mode assertion must be answered (break once, bt, cont) and reported",
         tests=("harnesstest:assert",),
         own_boot=True, negative=True, expect="assertion", issue="2"),
    dict(name="selftest-hang",
         description="negative control: a guest starved by a real-time spinner must be reported as a hang",
         tests=("harnesstest:hang",),
         own_boot=True, negative=True, expect="hang", issue="2"),
    dict(name="selftest-reboot",
         description="negative control: the host restarting in the middle of a test must be reported as a reboot "
                     "(under -no-reboot QEMU reports it only as SHUTDOWN guest-reset), never as a power-off or a pass",
         tests=("harnesstest:reboot",),
         own_boot=True, negative=True, expect="unexpected-reboot", issue="13"),
    dict(name="selftest-missing",
         description="negative control: a test program that is not on the CD must be reported, never passed",
         tests=("harnessnosuch:test",),
         own_boot=True, negative=True, expect="test-failure", issue="2"),
]
