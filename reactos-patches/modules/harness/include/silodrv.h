/*
 * PROJECT:     ReactOS server-silo test harness
 * LICENSE:     GPL-2.0-or-later (https://spdx.org/licenses/GPL-2.0-or-later)
 * PURPOSE:     Interface between silotest.exe and silodrv.sys, the driver
 *              that runs the silo DDI checks in kernel mode
 * COPYRIGHT:   Copyright 2026 ReactOS server-silo project contributors
 */

#ifndef _SILODRV_H_
#define _SILODRV_H_

#define SILODRV_DEVICE_NAME         L"\\Device\\HarnessSiloDdi"
#define SILODRV_DOS_DEVICE_NAME     L"\\DosDevices\\HarnessSiloDdi"
#define SILODRV_USER_PATH           "\\\\.\\HarnessSiloDdi"
#define SILODRV_SERVICE_KEY         L"\\Registry\\Machine\\System\\CurrentControlSet\\Services\\silodrv"
#define SILODRV_SERVICE_SUBKEY      L"System\\CurrentControlSet\\Services\\silodrv"
#define SILODRV_IMAGE_PATH          L"\\SystemRoot\\system32\\drivers\\silodrv.sys"
/* The driver's source files, by SILODRV_CHECK.Source */
#define SILODRV_SOURCE_MAIN         0
#define SILODRV_SOURCE_RACE         1
#define SILODRV_SOURCE_FILES        { "silodrv.c", "silodrv/race.c" }

#define FILE_DEVICE_SILODRV         0x8000
#define SILODRV_IOCTL(Function)     CTL_CODE(FILE_DEVICE_SILODRV, 0x800 + (Function), METHOD_BUFFERED, FILE_ANY_ACCESS)

/* Checks that need no silo: the host view of every query DDI */
#define IOCTL_SILODRV_HOST          SILODRV_IOCTL(0)
/* Query, attach and terminate DDIs on the silos of SILODRV_SILOS */
#define IOCTL_SILODRV_SILO          SILODRV_IOCTL(1)
/* Context slots and contexts on the server silo of SILODRV_SILOS */
#define IOCTL_SILODRV_CONTEXTS      SILODRV_IOCTL(2)
/* Silo monitors: SILODRV_MONITOR_REQUEST says what to do */
#define IOCTL_SILODRV_MONITOR       SILODRV_IOCTL(3)
/* After the silos are gone: contexts cleaned up, slots freed */
#define IOCTL_SILODRV_FINISH        SILODRV_IOCTL(4)
/* Seeded random calls of the context DDIs: SILODRV_FUZZ_REQUEST */
#define IOCTL_SILODRV_FUZZ          SILODRV_IOCTL(5)
/* The silo life cycle under races: SILODRV_RACE_REQUEST says what to do */
#define IOCTL_SILODRV_RACE          SILODRV_IOCTL(6)

typedef struct _SILODRV_SILOS
{
    HANDLE ServerSilo;              /* handles in the caller's process */
    HANDLE ApplicationSilo;
    HANDLE PlainJob;
    ULONG ServiceSessionId;         /* as JobObjectServerSiloBasicInformation said */
    GUID ContainerId;               /* as JobObjectContainerId said */
} SILODRV_SILOS, *PSILODRV_SILOS;

typedef enum _SILODRV_MONITOR_ACTION
{
    SiloDrvMonitorNegative,         /* registration with bad input */
    SiloDrvMonitorStart,            /* register and start the counting monitor */
    SiloDrvMonitorRefuseOn,         /* add a monitor whose create callback fails */
    SiloDrvMonitorRefuseOff,
    SiloDrvMonitorCheck,            /* compare the counts with ExpectedCreates/Terminates */
    SiloDrvMonitorStop
} SILODRV_MONITOR_ACTION;

typedef struct _SILODRV_MONITOR_REQUEST
{
    SILODRV_MONITOR_ACTION Action;
    ULONG ExistingServerSilos;
    ULONG ExpectedCreates;
    ULONG ExpectedTerminates;
} SILODRV_MONITOR_REQUEST, *PSILODRV_MONITOR_REQUEST;

typedef enum _SILODRV_RACE_ACTION
{
    SiloDrvRaceMonitorsStart,       /* monitors that sleep, terminate marked silos, and query */
    SiloDrvRaceMonitorsStop,
    SiloDrvRaceMark,                /* the terminating monitor ends SiloId in its create callback */
    SiloDrvRaceCheckSilo,           /* every monitor saw SiloId created once and terminated once */
    SiloDrvRaceLateStart,           /* a querying monitor started while silos come and go */
    SiloDrvRaceLateStop,            /* ... it saw each silo created and terminated, or neither */
    SiloDrvRaceLookupStart,         /* a system thread attached to Silo looks names up */
    SiloDrvRaceLookupEnded,         /* the host saw the silo TERMINATED */
    SiloDrvRaceLookupStop,          /* ... none of its lookups found a host-only name */
    SiloDrvRaceHoldShutdown,        /* host shutdown waits (in IRP_MJ_SHUTDOWN) for the caller to exit */
    SiloDrvRaceContextAtDispatch    /* a context's last reference dropped at DISPATCH_LEVEL: cleanup at PASSIVE */
} SILODRV_RACE_ACTION;

typedef struct _SILODRV_RACE_REQUEST
{
    SILODRV_RACE_ACTION Action;
    HANDLE Silo;                    /* SiloDrvRaceLookupStart */
    ULONG SiloId;                   /* SiloDrvRaceMark, SiloDrvRaceCheckSilo */
} SILODRV_RACE_REQUEST, *PSILODRV_RACE_REQUEST;

/* The exit status the terminating monitor gives a marked silo (a customer code) */
#define SILODRV_RACE_EXIT_STATUS    ((LONG)0xE0510013L)
/* A host-only name: BaseNamedObjects is never lent to a silo */
#define SILODRV_RACE_HOST_MARKER    L"\\BaseNamedObjects\\SiloRaceHostMarker"

typedef struct _SILODRV_FUZZ_REQUEST
{
    SILODRV_SILOS Silos;
    ULONG Seed;
    ULONG Calls;
} SILODRV_FUZZ_REQUEST, *PSILODRV_FUZZ_REQUEST;

#define SILODRV_MESSAGE_CHARS       120
#define SILODRV_MAX_CHECKS          128

typedef struct _SILODRV_CHECK
{
    ULONG Source;                   /* SILODRV_SOURCE_* */
    ULONG Line;
    ULONG Passed;
    CHAR Message[SILODRV_MESSAGE_CHARS];
} SILODRV_CHECK, *PSILODRV_CHECK;

/* Figures an IOCTL reports besides its checks */
typedef enum _SILODRV_FIGURE
{
    SiloDrvFigureSucceeded,         /* FUZZ: calls that succeeded */
    SiloDrvFigureContextsCreated,   /* contexts created so far */
    SiloDrvFigureContextsCleaned,   /* contexts whose cleanup callback ran */
    SiloDrvFigureLookups,           /* RACE: attached lookups, all of them */
    SiloDrvFigureLookupsAfterEnd,   /* RACE: ... after the host saw the silo end */
    SiloDrvFigureLateSilos,         /* RACE: silos the late monitor was told about */
    SiloDrvFigures
} SILODRV_FIGURE;

typedef struct _SILODRV_RESULTS
{
    ULONG Count;                    /* checks recorded */
    ULONG Dropped;                  /* checks that did not fit */
    ULONG Figures[SiloDrvFigures];
    SILODRV_CHECK Checks[SILODRV_MAX_CHECKS];
} SILODRV_RESULTS, *PSILODRV_RESULTS;

#endif /* _SILODRV_H_ */
