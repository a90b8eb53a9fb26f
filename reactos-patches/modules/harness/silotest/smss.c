/*
 * PROJECT:     ReactOS server-silo test harness
 * LICENSE:     GPL-2.0-or-later (https://spdx.org/licenses/GPL-2.0-or-later)
 * PURPOSE:     The host SMSS starts a server silo's own SMSS (SmStartServerSilo),
 *              which boots the silo's namespace and CSRSS; several silos at once
 * COPYRIGHT:   Copyright 2026 ReactOS server-silo project contributors
 */

#include "precomp.h"

#define SMSS_IMAGE                  L"smss.exe"
#define SMSS_PARALLEL_SILOS         3
#define SILO_BOOT_PROCESSES         2   /* the silo's SMSS and CSRSS */

START_TEST(smss)
{
    SMSS_SILO Silos[SMSS_PARALLEL_SILOS], Victim;
    SERVERSILO_BASIC_INFORMATION Basic;
    ULONG i;
    HANDLE SmPort, Plain;
    NTSTATUS Status;

    if (!ConnectToHostSm(&SmPort)) return;

    /* Only an initialized server silo gets an SMSS */
    ok(NT_SUCCESS(CreateJob(&Plain, 0)), "CreateJob failed\n");
    Status = SmStartServerSilo(SmPort, Plain, FALSE);
    ok(Status == STATUS_JOB_NO_CONTAINER, "plain job: 0x%08lx\n", Status);
    NtClose(Plain);
    Status = SmStartServerSilo(SmPort, (HANDLE)(ULONG_PTR)0x1234, FALSE);
    ok(!NT_SUCCESS(Status), "bogus handle: 0x%08lx\n", Status);

    /* Several silos, each with its own SMSS (and its CSRSS) and namespace */
    for (i = 0; i < SMSS_PARALLEL_SILOS; i++)
    {
        Status = StartSmssSilo(SmPort, &Silos[i]);
        ok(Status == STATUS_SUCCESS, "silo %lu: SmStartServerSilo or its boot: 0x%08lx\n", i, Status);
        ok(ActiveProcesses(Silos[i].Silo) == SILO_BOOT_PROCESSES, "silo %lu counts %lu processes\n",
           Silos[i].SiloId, ActiveProcesses(Silos[i].Silo));
        ok(ForEachProcessIn(Silos[i].Silo, SMSS_IMAGE, NULL, NULL) == 1, "silo %lu has no SMSS of its own\n",
           Silos[i].SiloId);
    }
    ok(ForEachProcessIn(NULL, SMSS_IMAGE, NULL, NULL) == 1, "the host runs %lu smss.exe outside any job\n",
       ForEachProcessIn(NULL, SMSS_IMAGE, NULL, NULL));

    /* The host's SMSS still serves the host */
    {
        HANDLE Again;
        Status = SmConnectToSm(NULL, NULL, 0, &Again);
        ok(Status == STATUS_SUCCESS, "second connection to the host's SMSS: 0x%08lx\n", Status);
        if (NT_SUCCESS(Status)) NtClose(Again);
    }

    /* Torn down out of order; the others run on */
    EndSmssSilo(&Silos[1], STATUS_SUCCESS);
    ok(ActiveProcesses(Silos[0].Silo) == SILO_BOOT_PROCESSES && ActiveProcesses(Silos[2].Silo) == SILO_BOOT_PROCESSES,
       "a neighbour's SMSS or CSRSS died\n");
    EndSmssSilo(&Silos[2], STATUS_SUCCESS);
    ok(ActiveProcesses(Silos[0].Silo) == SILO_BOOT_PROCESSES, "the first silo's SMSS or CSRSS died\n");
    EndSmssSilo(&Silos[0], STATUS_SUCCESS);
    for (i = 0; i < SMSS_PARALLEL_SILOS; i++)
    {
        ok(!SiloDirectoryExists(Silos[i].SiloId), "\\Silos\\%lu outlived its silo\n", Silos[i].SiloId);
    }

    /* Killing a silo's SMSS (a critical process) ends that silo only */
    Status = StartSmssSilo(SmPort, &Victim);
    ok(Status == STATUS_SUCCESS, "victim silo did not start: 0x%08lx\n", Status);
    Status = KillSiloProcess(Victim.Silo, SMSS_IMAGE, &Basic);
    ok(Status == STATUS_SUCCESS, "killing its SMSS did not end the silo: 0x%08lx\n", Status);
    ok(Basic.ExitStatus == (ULONG)STATUS_SYSTEM_PROCESS_TERMINATED, "silo exit status 0x%08lx\n", Basic.ExitStatus);
    if (Victim.Silo) NtClose(Victim.Silo);

    NtClose(SmPort);
}
