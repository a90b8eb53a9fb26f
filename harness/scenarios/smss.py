"""Scenarios of SMSS starting server silos (issue: SMSS starts a server silo).

The guest side is silotest.exe's smss and csrss tests (reactos-patches/modules/harness/silotest/smss.c,
csrss.c); the SMSS and CSRSS side is patches 0009-0012. Each gets a boot of its own: they start dozens
of silo SMSS and CSRSS processes.
"""

SCENARIOS = [
    dict(name="silo-smss",
         description="SmStartServerSilo: the host SMSS clones itself into server silos, whose SMSS boots the silo's "
                     "namespace (Sessions, Windows, RPC Control, KnownDlls, DOS devices) and its CSRSS; several at "
                     "once, torn down in any order; killing a silo's SMSS ends that silo only",
         tests=("silotest:smss",),
         own_boot=True, issue="5"),
    dict(name="silo-csrss",
         description="A server silo's own Win32 world: its CSRSS serves Win32 programs started in the silo "
                     "(SmExecPgm to the silo's SMSS); processes, events, mutexes, sections, pipes and drive letters seen "
                     "from both sides; three silos with their CSRSS ended in any order; killing a silo's CSRSS ends "
                     "that silo only; prints start time against the host's SMSS->CSRSS and how many run at once; "
                     "starting a Win32 program in a silo closes none of the host test's own handles",
         tests=("silotest:csrss", "silotest:win32handles"),
         own_boot=True, issue="5"),
]
