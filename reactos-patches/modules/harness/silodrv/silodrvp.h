/*
 * PROJECT:     ReactOS server-silo test harness
 * LICENSE:     GPL-2.0-or-later (https://spdx.org/licenses/GPL-2.0-or-later)
 * PURPOSE:     What the parts of silodrv.sys share
 * COPYRIGHT:   Copyright 2026 ReactOS server-silo project contributors
 */

#ifndef _SILODRVP_H_
#define _SILODRVP_H_

#include <ntifs.h>
#include <ntstrsafe.h>
#include "../include/silodrv.h"

/* Where a check's verdict goes: the IOCTL's output buffer */
typedef struct _SILODRV_RUN
{
    PSILODRV_RESULTS Results;
} SILODRV_RUN, *PSILODRV_RUN;

VOID
SiloDrvRecord(
    _In_ PSILODRV_RUN Run,
    _In_ ULONG Source,
    _In_ ULONG Line,
    _In_ BOOLEAN Passed,
    _In_z_ _Printf_format_string_ PCSTR Format,
    ...);

/* Each source file defines SILODRV_THIS_SOURCE before it includes this header */
#define CHECK(Run, Condition, ...) \
    SiloDrvRecord((Run), SILODRV_THIS_SOURCE, __LINE__, (BOOLEAN)!!(Condition), __VA_ARGS__)

/* race.c */
VOID
SiloDrvRace(
    _In_ PDEVICE_OBJECT DeviceObject,
    _In_ PSILODRV_RUN Run,
    _In_ PSILODRV_RACE_REQUEST Request);

DRIVER_DISPATCH SiloDrvShutdown;

VOID
SiloDrvRaceUnload(
    _In_ PDEVICE_OBJECT DeviceObject);

#endif /* _SILODRVP_H_ */
