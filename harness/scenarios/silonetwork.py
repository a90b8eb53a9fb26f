"""Scenarios of a server silo's network (issue 17, network on or off).

The guest test is reactos-patches/modules/harness/silotest/network.c.
"""

SCENARIOS = [
    dict(name="silo-network",
         description="JobObjectSiloNetworkConfiguration (0x8002) with its refusals; in an SMSS-started server silo "
                     "with the network off socket() fails and every direct open of AFD, TCP, UDP, raw IP, IP, "
                     "GLOBALROOT's TCP, MUP and a UNC pipe gets STATUS_NETWORK_ACCESS_DENIED, and the host's "
                     "listener hears nothing; with it on (the control) the same program makes a TCP round trip on "
                     "loopback inside the silo and connects to the host's listener; the probe passes on the host",
         tests=("silotest:network",),
         own_boot=True,
         issue="17"),
]
