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

# The scratch disk (issue 16, item 4; shared with the files work): the host writes a token before the
# boot, the guest finds the volume by its label, reads the token and writes it back; the host reads the
# disk after the boot. The control writes the wrong bytes: the host check must catch it.
SCENARIOS += [
    dict(name="selftest-scratch",
         description="the harness's scratch disk: the guest finds the FAT32 volume the host made (by its label), "
                     "reads the host's per-boot token from it and writes it back; the host reads the disk after "
                     "the boot and checks both (its files are copied to BOOT/scratch/); the guest also saves a key of its own "
                     "as a hive file (NtSaveKey) that the host parses and checks value by value",
         tests=("harnesstest:scratch", "harnesstest:scratchhive"),
         own_boot=True, scratch_disk=True,
         host_checks={"harnesstest:scratch": ("scratch-roundtrip",), "harnesstest:scratchhive": ("scratch-hive",)},
         issue="16"),
    dict(name="selftest-scratch-wrong",
         description="negative control: a guest test that passes by its own account but writes the wrong bytes to "
                     "the scratch disk must be failed by the host check",
         tests=("harnesstest:scratchwrong",),
         own_boot=True, negative=True, expect="test-failure", scratch_disk=True,
         host_checks={"harnesstest:scratchwrong": ("scratch-roundtrip",)}, issue="16"),
]
