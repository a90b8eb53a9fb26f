"""Scenarios of silo.exe, the workspace tool (issue 18): driven from the guest as a user would,
with its transcript on COM1 and the workspace files it keeps checked on the host after the boot.

The guest test is reactos-patches/modules/harness/silotest/workspace.c; silo.exe is
reactos-patches/base/applications/cmdutils/silo.
"""

SCENARIOS = [
    dict(name="workspace-session",
         description="silo.exe: help, every bad input refused with its exit code and nothing written, two "
                     "workspaces (host-readwrite with limits and the system volume lent, host-readonly) started and running after silo.exe "
                     "exits, programs run in each with their output and exit code, each sees its own namespace, "
                     "the registry mode holds for reg.exe, the lent volume opens in one only, list and inspect agree with the kernel, one stopped "
                     "while the other runs on, rm; the host reads the kept definition back from the disk",
         tests=("silotest:workspace",),
         own_boot=True,
         scratch_disk=True,
         host_checks={"silotest:workspace": ("workspace-files",)},
         issue="18"),
]
