"""Scenarios of a server silo's network and devices (issue 17: network on or off, devices lent).

The guest tests are reactos-patches/modules/harness/silotest/network.c and devices.c.
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
    dict(name="silo-devices",
         description="JobObjectSiloDeviceConfiguration (0x8003) with its refusals and its read-back; a tenant of an "
                     "SMSS-started server silo opens the default set (NUL, Beep also through GLOBALROOT, the named "
                     "pipe root, KsecDD) and files on the system volume, but not the volume itself by its device, "
                     "GLOBALROOT or drive-letter name (STATUS_OBJECT_NAME_NOT_FOUND); lent the volume it opens it "
                     "by every name; with the default withdrawn it opens only what was named; the host, the "
                     "control, opens every target; a disk control sent through a file and a directory on the "
                     "FAT scratch volume reaches the file system from the host and is refused "
                     "(STATUS_ACCESS_DENIED) before it from a silo",
         tests=("silotest:devices",),
         own_boot=True,
         scratch_disk=True,
         issue="17"),
]
