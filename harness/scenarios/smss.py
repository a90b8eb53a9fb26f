"""Scenarios of SMSS starting server silos (issue: SMSS starts a server silo).

The guest side is silotest.exe's smss test (reactos-patches/modules/harness/silotest/smss.c); the
SMSS side is patch 0009. It gets a boot of its own: it starts 36 silo SMSS processes.
"""

SCENARIOS = [
    dict(name="silo-smss",
         description="SmStartServerSilo: the host SMSS clones itself into server silos, whose SMSS boots the silo's "
                     "namespace (Sessions, Windows, RPC Control, KnownDlls, DOS devices); several at once, torn down "
                     "in any order; killing a silo's SMSS ends that silo only; prints how many run at once",
         tests=("silotest:smss",),
         own_boot=True, issue="5"),
]
