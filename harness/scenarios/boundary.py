"""Scenarios of the silo boundary (issue: nothing inside a server silo reaches the host).

The guest side is silotest.exe's escape test (reactos-patches/modules/harness/silotest/escape.c, the
attacker in escapechild.c, the calls both make in escapecalls.c, and silonative.exe for the
hard-error case); the SMSS and kernel side is patches 0014-0020. It gets a boot of its own: an
attack that gets through may take the host down.
"""

SCENARIOS = [
    dict(name="silo-escape",
         description="a SYSTEM process in each of two SMSS-started server silos, started together, every privilege "
                     "enabled, tries 59 ways to "
                     "reach the host (host processes and threads, process and handle lists, parent spoofing, handle "
                     "raising, drivers, clock, time zone, system settings, debugger, paging files, firmware and boot "
                     "entries, locale, Plug and Play, profiling, process cloning, registry writes, lent host objects, host ports, "
                     "physical memory); a silo's hard-error port owner raises a fatal hard error, and a silo without a "
                     "CSRSS of its own connects to the host CSRSS's SB port; each attack is "
                     "refused, the host proves nothing changed, and the same call from the host works (the control); "
                     "prints escape: attacks= blocked= host_changes= controls= silos=",
         tests=("silotest:escape",),
         own_boot=True, issue="11"),
]
