"""Density and cost of server silos started by SMSS (issue 14, item 4).

The guest side is silotest.exe's density test (reactos-patches/modules/harness/silotest/density.c): it starts
server silos with their SMSS and CSRSS until the first failure, a memory floor or a cap, prints what one silo
costs (pool, commit, processes, the pool tags that grew most, the last silo's SMSS and CSRSS), the start times
(p50/p95/max, and with 100 running), the same with silos busy, and checks the teardown. Its own boot: it fills
the guest. It runs for minutes under TCG, beyond the guest runner's default 120 s per test, so it is tagged
``heavy`` (run by name only) and carries its own test timeout.
"""

DENSITY_TEST_TIMEOUT_S = 1200

SCENARIOS = [
    dict(name="silo-density",
         description="Server silos with their SMSS and CSRSS started one by one until the first failure or the "
                     "guest's available memory falls under a floor: how many ran, why it stopped, per-silo "
                     "non-paged/paged pool, commit and processes, start time p50/p95/max (all, and with 100 "
                     "running), the same while silos spin, and that the teardown gives everything back",
         tests=("silotest:density",),
         own_boot=True, issue="14", tags=("heavy",), test_timeout_s=DENSITY_TEST_TIMEOUT_S),
]
