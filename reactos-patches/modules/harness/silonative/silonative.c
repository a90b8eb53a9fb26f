/*
 * PROJECT:     ReactOS server-silo test harness
 * LICENSE:     GPL-2.0-or-later (https://spdx.org/licenses/GPL-2.0-or-later)
 * PURPOSE:     A native program for silo checks that a Win32 process cannot
 *              make: it has no CSRSS, so no exception port takes its hard
 *              errors before the silo's default port does, and it runs in a
 *              silo without a \Windows of its own
 * COPYRIGHT:   Copyright 2026 ReactOS server-silo project contributors
 */

#define WIN32_NO_STATUS
#include <windef.h>
#include <winbase.h>
#define NTOS_MODE_USER
#include <ndk/exfuncs.h>
#include <ndk/lpcfuncs.h>
#include <ndk/obfuncs.h>
#include <ndk/psfuncs.h>
#include <ndk/rtlfuncs.h>
#include <ndk/setypes.h>

/* The hard error it raises once it serves its silo's hard errors itself */
#define SILONATIVE_HARD_ERROR       STATUS_ACCESS_VIOLATION

/*
 * "harderror": makes an LPC port its server silo's hard error port, then
 * raises an error-class hard error. The process serving a silo's errors
 * cannot handle its own, so the silo ends with the error; it used to reach
 * the system error handler and bugcheck the host.
 */
static
NTSTATUS
RaiseAsHardErrorPortOwner(VOID)
{
    OBJECT_ATTRIBUTES Attributes;
    HANDLE Port;
    ULONG Response;
    BOOLEAN Old;
    NTSTATUS Status;

    Status = RtlAdjustPrivilege(SE_TCB_PRIVILEGE, TRUE, FALSE, &Old);
    if (!NT_SUCCESS(Status)) return Status;

    /* A port without a name: nobody else needs to find it */
    InitializeObjectAttributes(&Attributes, NULL, 0, NULL, NULL);
    Status = NtCreatePort(&Port, &Attributes, 0, PORT_MAXIMUM_MESSAGE_LENGTH, 0);
    if (!NT_SUCCESS(Status)) return Status;

    Status = NtSetDefaultHardErrorPort(Port);
    if (NT_SUCCESS(Status))
    {
        Status = NtRaiseHardError(SILONATIVE_HARD_ERROR | HARDERROR_OVERRIDE_ERRORMODE,
                                  0,
                                  0,
                                  NULL,
                                  OptionOk,
                                  &Response);
    }
    NtClose(Port);
    return Status;
}

/*
 * "sbport": connects to \Windows\SbApiPort. In a silo without a \Windows of
 * its own that name is the host CSRSS's SB port, through which SMSS hands
 * CSRSS handles of CSRSS's own to act on: it must not be lent.
 */
static
NTSTATUS
ConnectToWin32SbPort(VOID)
{
    UNICODE_STRING PortName = RTL_CONSTANT_STRING(L"\\Windows\\SbApiPort");
    SECURITY_QUALITY_OF_SERVICE Qos;
    HANDLE Port;
    NTSTATUS Status;

    Qos.Length = sizeof(Qos);
    Qos.ImpersonationLevel = SecurityIdentification;
    Qos.ContextTrackingMode = SECURITY_DYNAMIC_TRACKING;
    Qos.EffectiveOnly = TRUE;
    Status = NtConnectPort(&Port, &PortName, &Qos, NULL, NULL, NULL, NULL, NULL);
    if (NT_SUCCESS(Status)) NtClose(Port);
    return Status;
}

INT
__cdecl
_main(
    _In_ INT argc,
    _In_ PCHAR argv[],
    _In_ PCHAR envp[],
    _In_ ULONG DebugFlag)
{
    NTSTATUS Status = STATUS_INVALID_PARAMETER;

    UNREFERENCED_PARAMETER(envp);
    UNREFERENCED_PARAMETER(DebugFlag);

    if ((argc > 1) && !_stricmp(argv[1], "sbport"))
    {
        /* The status is the result */
        NtTerminateProcess(NtCurrentProcess(), ConnectToWin32SbPort());
    }
    if ((argc > 1) && !_stricmp(argv[1], "harderror")) Status = RaiseAsHardErrorPortOwner();

    /* Still here: the silo did not end, which the host reports */
    DbgPrint("silonative: %s returned 0x%08lx\n", (argc > 1) ? argv[1] : "(nothing)", Status);
    NtTerminateProcess(NtCurrentProcess(), Status);
    return Status;
}
