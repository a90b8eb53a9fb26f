"""Scenarios of a server silo's registry (issue 16): the mode its creator chooses, and what a silo
process in each mode can write of the host's hives, proven on the host.

The guest test is reactos-patches/modules/harness/silotest/registry.c.
"""

SCENARIOS = [
    dict(name="silo-registry-modes",
         description="JobObjectSiloRegistryConfiguration (0x8001): version, flags, modes, lengths, privilege, "
                     "fixed once the silo starts; private modes refused (not there yet); a silo process writes the "
                     "host's key in host-readonly (default and set: every write refused, the host's value and "
                     "subkeys unchanged) and in host-readwrite (the control: the same writes land on the host)",
         tests=("silotest:registrymode",),
         issue="16"),
]
