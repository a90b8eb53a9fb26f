/*
 * PROJECT:     ReactOS server-silo test harness
 * LICENSE:     GPL-2.0-or-later (https://spdx.org/licenses/GPL-2.0-or-later)
 * PURPOSE:     A server silo's registry mode (JobObjectSiloRegistryConfiguration):
 *              the interface with its negative cases, and what a silo process
 *              in each mode can write of the host's hives, proven on the host
 * COPYRIGHT:   Copyright 2026 ReactOS server-silo project contributors
 */

#include "precomp.h"
#include <ndk/cmfuncs.h>

/* The host's key the silo process writes to; volatile, so a failed run leaves nothing on disk */
#define REGMODE_KEY             L"\\Registry\\Machine\\SOFTWARE\\SiloRegistryMode"
#define REGMODE_SUBKEY          L"\\Registry\\Machine\\SOFTWARE\\SiloRegistryMode\\SiloMade"
#define REGMODE_VALUE           L"Canary"
#define REGMODE_HOST_DATA       1
#define REGMODE_SILO_DATA       2
#define REGMODE_FOLDER          L"\\??\\C:\\SiloHives"
#define REGMODE_BOGUS_FILE      ((HANDLE)(ULONG_PTR)0x7FFC)

/* Exit code bits of the "regwrite" child: one per write whose status was not the mode's */
#define REGWRITE_FAIL_OPEN      0x01    /* it could not open the host's key to read it */
#define REGWRITE_FAIL_SET       0x02
#define REGWRITE_FAIL_CREATE    0x04
#define REGWRITE_FAIL_DELETE    0x08
#define REGWRITE_FAIL_SAVE      0x10
#define REGWRITE_FAIL_READ      0x20    /* it read another value than the host's */
#define REGWRITE_FAIL_ARGUMENT  0x40

/* The status a silo whose host hives are read-only gets for a write (README) */
#define SILO_REGISTRY_DENIED    STATUS_ACCESS_DENIED

static
PCSTR
ModeName(
    _In_ SILO_REGISTRY_MODE Mode)
{
    switch (Mode)
    {
        case SiloRegistryHostReadOnly: return "host-readonly";
        case SiloRegistryHostReadWrite: return "host-readwrite";
        case SiloRegistryPrivateTemporary: return "private-temporary";
        case SiloRegistryPrivatePersistent: return "private-persistent";
        default: return "unknown";
    }
}

static
NTSTATUS
SetRegistryMode(
    _In_ HANDLE Job,
    _In_ ULONG Version,
    _In_ SILO_REGISTRY_MODE Mode,
    _In_ ULONG Flags,
    _In_opt_ PCWSTR Folder)
{
    SILO_REGISTRY_CONFIGURATION Configuration;

    ZeroMemory(&Configuration, sizeof(Configuration));
    Configuration.Version = Version;
    Configuration.Mode = Mode;
    Configuration.Flags = Flags;
    if (Folder) RtlInitUnicodeString(&Configuration.HiveFolder, Folder);
    return NtSetInformationJobObject(Job, JobObjectSiloRegistryConfiguration,
                                     &Configuration, sizeof(Configuration));
}

static
NTSTATUS
QueryRegistryMode(
    _In_ HANDLE Job,
    _Out_ PSILO_REGISTRY_MODE Mode)
{
    SILO_REGISTRY_CONFIGURATION Configuration;
    NTSTATUS Status;

    *Mode = MaxSiloRegistryMode;
    Status = NtQueryInformationJobObject(Job, JobObjectSiloRegistryConfiguration,
                                         &Configuration, sizeof(Configuration), NULL);
    if (!NT_SUCCESS(Status)) return Status;
    if (Configuration.Version != SILO_REGISTRY_CONFIGURATION_VERSION) return STATUS_UNKNOWN_REVISION;
    if (Configuration.HiveFolder.Length != 0) return STATUS_INVALID_PARAMETER;
    *Mode = Configuration.Mode;
    return Status;
}

static
NTSTATUS
OpenKeyByName(
    _In_ PCWSTR Name,
    _In_ ACCESS_MASK Access,
    _Out_ PHANDLE Key)
{
    OBJECT_ATTRIBUTES Attributes;
    UNICODE_STRING NameString;

    RtlInitUnicodeString(&NameString, Name);
    InitializeObjectAttributes(&Attributes, &NameString, OBJ_CASE_INSENSITIVE, NULL, NULL);
    return NtOpenKey(Key, Access, &Attributes);
}

static
NTSTATUS
CreateVolatileKey(
    _In_ PCWSTR Name,
    _Out_ PHANDLE Key)
{
    OBJECT_ATTRIBUTES Attributes;
    UNICODE_STRING NameString;
    ULONG Disposition;

    RtlInitUnicodeString(&NameString, Name);
    InitializeObjectAttributes(&Attributes, &NameString, OBJ_CASE_INSENSITIVE, NULL, NULL);
    return NtCreateKey(Key, KEY_ALL_ACCESS, &Attributes, 0, NULL, REG_OPTION_VOLATILE, &Disposition);
}

static
NTSTATUS
SetCanary(
    _In_ HANDLE Key,
    _In_ ULONG Data)
{
    UNICODE_STRING ValueName = RTL_CONSTANT_STRING(REGMODE_VALUE);

    return NtSetValueKey(Key, &ValueName, 0, REG_DWORD, &Data, sizeof(Data));
}

/* The canary's data, or MAXULONG when it cannot be read */
static
ULONG
ReadCanary(
    _In_ HANDLE Key)
{
    UNICODE_STRING ValueName = RTL_CONSTANT_STRING(REGMODE_VALUE);
    ULONG_PTR Buffer[(sizeof(KEY_VALUE_PARTIAL_INFORMATION) + sizeof(ULONG)) / sizeof(ULONG_PTR) + 1];
    PKEY_VALUE_PARTIAL_INFORMATION Value = (PKEY_VALUE_PARTIAL_INFORMATION)Buffer;
    ULONG Length;

    if (!NT_SUCCESS(NtQueryValueKey(Key, &ValueName, KeyValuePartialInformation, Buffer, sizeof(Buffer), &Length)) ||
        (Value->Type != REG_DWORD) || (Value->DataLength != sizeof(ULONG)))
    {
        return MAXULONG;
    }
    return *(PULONG)Value->Data;
}

/*
 * The "regwrite" child, in a server silo of the argument's mode: reads the
 * host's canary, then sets it, creates a subkey, deletes the canary's key's
 * subkey and saves the key. Each status must be the mode's: refused in
 * host-readonly, the call's own result in host-readwrite.
 */
DWORD
RegistryWriteChild(
    _In_ PCSTR Argument)
{
    SILO_REGISTRY_MODE Mode = (SILO_REGISTRY_MODE)strtoul(Argument, NULL, 0);
    BOOLEAN Writable;
    HANDLE Key, SubKey;
    DWORD Failures = 0;
    NTSTATUS Status;

    if (Mode != SiloRegistryHostReadOnly && Mode != SiloRegistryHostReadWrite) return REGWRITE_FAIL_ARGUMENT;
    Writable = (Mode == SiloRegistryHostReadWrite);

    /* Every mode reads the host's hives, with any access asked for */
    if (!NT_SUCCESS(OpenKeyByName(REGMODE_KEY, KEY_ALL_ACCESS, &Key))) return REGWRITE_FAIL_OPEN;
    if (ReadCanary(Key) != REGMODE_HOST_DATA) Failures |= REGWRITE_FAIL_READ;

    Status = SetCanary(Key, REGMODE_SILO_DATA);
    if (Status != (Writable ? STATUS_SUCCESS : SILO_REGISTRY_DENIED)) Failures |= REGWRITE_FAIL_SET;

    Status = CreateVolatileKey(REGMODE_SUBKEY, &SubKey);
    if (Status != (Writable ? STATUS_SUCCESS : SILO_REGISTRY_DENIED)) Failures |= REGWRITE_FAIL_CREATE;
    if (NT_SUCCESS(Status))
    {
        /* Deleted again, so the host finds it only if the delete was refused */
        Status = NtDeleteKey(SubKey);
        if (Status != STATUS_SUCCESS) Failures |= REGWRITE_FAIL_DELETE;
        NtClose(SubKey);
        Status = CreateVolatileKey(REGMODE_SUBKEY, &SubKey);
        if (NT_SUCCESS(Status)) NtClose(SubKey);
        else Failures |= REGWRITE_FAIL_CREATE;
    }

    /* The gate comes before the file handle is looked at: a writable silo gets the handle's error */
    EnablePrivilege(SE_BACKUP_PRIVILEGE);
    Status = NtSaveKey(Key, REGMODE_BOGUS_FILE);
    if (Writable ? (Status == SILO_REGISTRY_DENIED || NT_SUCCESS(Status)) : (Status != SILO_REGISTRY_DENIED))
    {
        Failures |= REGWRITE_FAIL_SAVE;
    }
    trace("regwrite child (%s): save 0x%08lx, failures 0x%lx\n", ModeName(Mode), Status, Failures);

    NtClose(Key);
    return Failures;
}

static
void
TestRegistryModeInterface(VOID)
{
    SILO_REGISTRY_CONFIGURATION Configuration;
    SILOOBJECT_ROOT_DIRECTORY Root;
    SERVERSILO_INIT_INFORMATION Init;
    SILO_REGISTRY_MODE Mode;
    HANDLE Plain, Silo;
    ULONG ReturnLength;
    NTSTATUS Status;

    ok(NT_SUCCESS(CreateJob(&Plain, 0)), "CreateJob failed\n");
    Status = SetRegistryMode(Plain, SILO_REGISTRY_CONFIGURATION_VERSION, SiloRegistryHostReadWrite, 0, NULL);
    ok(Status == STATUS_JOB_NO_CONTAINER, "plain job: 0x%08lx\n", Status);
    Status = QueryRegistryMode(Plain, &Mode);
    ok(Status == STATUS_JOB_NO_CONTAINER, "plain job query: 0x%08lx\n", Status);
    NtClose(Plain);

    ok(NT_SUCCESS(MakeSilo(&Silo)), "MakeSilo failed\n");
    Status = QueryRegistryMode(Silo, &Mode);
    ok(Status == STATUS_SUCCESS && Mode == SiloRegistryHostReadOnly,
       "default mode: 0x%08lx, %s\n", Status, ModeName(Mode));

    /* Lengths: exact for a set; a short query says what it takes */
    ZeroMemory(&Configuration, sizeof(Configuration));
    Configuration.Version = SILO_REGISTRY_CONFIGURATION_VERSION;
    Status = NtSetInformationJobObject(Silo, JobObjectSiloRegistryConfiguration, &Configuration,
                                       sizeof(Configuration) - 1);
    ok(Status == STATUS_INFO_LENGTH_MISMATCH, "short set: 0x%08lx\n", Status);
    Status = NtSetInformationJobObject(Silo, JobObjectSiloRegistryConfiguration, &Configuration,
                                       sizeof(Configuration) + 1);
    ok(Status == STATUS_INFO_LENGTH_MISMATCH, "long set: 0x%08lx\n", Status);
    ReturnLength = 0;
    Status = NtQueryInformationJobObject(Silo, JobObjectSiloRegistryConfiguration, &Configuration,
                                         sizeof(Configuration) - 1, &ReturnLength);
    ok(Status == STATUS_INFO_LENGTH_MISMATCH && ReturnLength == sizeof(Configuration),
       "short query: 0x%08lx, %lu\n", Status, ReturnLength);

    /* Bad input changes nothing */
    Status = SetRegistryMode(Silo, 0, SiloRegistryHostReadWrite, 0, NULL);
    ok(Status == STATUS_UNKNOWN_REVISION, "version 0: 0x%08lx\n", Status);
    Status = SetRegistryMode(Silo, SILO_REGISTRY_CONFIGURATION_VERSION + 1, SiloRegistryHostReadWrite, 0, NULL);
    ok(Status == STATUS_UNKNOWN_REVISION, "next version: 0x%08lx\n", Status);
    Status = SetRegistryMode(Silo, SILO_REGISTRY_CONFIGURATION_VERSION, SiloRegistryHostReadWrite, 1, NULL);
    ok(Status == STATUS_INVALID_PARAMETER, "flags: 0x%08lx\n", Status);
    Status = SetRegistryMode(Silo, SILO_REGISTRY_CONFIGURATION_VERSION, MaxSiloRegistryMode, 0, NULL);
    ok(Status == STATUS_INVALID_PARAMETER, "unknown mode: 0x%08lx\n", Status);
    Status = SetRegistryMode(Silo, SILO_REGISTRY_CONFIGURATION_VERSION, (SILO_REGISTRY_MODE)-1, 0, NULL);
    ok(Status == STATUS_INVALID_PARAMETER, "mode -1: 0x%08lx\n", Status);
    Status = SetRegistryMode(Silo, SILO_REGISTRY_CONFIGURATION_VERSION, SiloRegistryHostReadWrite, 0, REGMODE_FOLDER);
    ok(Status == STATUS_INVALID_PARAMETER, "folder with host-readwrite: 0x%08lx\n", Status);
    Status = SetRegistryMode(Silo, SILO_REGISTRY_CONFIGURATION_VERSION, SiloRegistryPrivateTemporary, 0, NULL);
    ok(Status == STATUS_NOT_SUPPORTED, "private-temporary: 0x%08lx\n", Status);
    Status = SetRegistryMode(Silo, SILO_REGISTRY_CONFIGURATION_VERSION, SiloRegistryPrivatePersistent, 0,
                             REGMODE_FOLDER);
    ok(Status == STATUS_NOT_SUPPORTED, "private-persistent: 0x%08lx\n", Status);
    ok(EnableTcb(FALSE), "cannot disable SeTcbPrivilege\n");
    Status = SetRegistryMode(Silo, SILO_REGISTRY_CONFIGURATION_VERSION, SiloRegistryHostReadWrite, 0, NULL);
    ok(Status == STATUS_PRIVILEGE_NOT_HELD, "without SeTcbPrivilege: 0x%08lx\n", Status);
    ok(EnableTcb(TRUE), "cannot enable SeTcbPrivilege\n");
    Status = QueryRegistryMode(Silo, &Mode);
    ok(Status == STATUS_SUCCESS && Mode == SiloRegistryHostReadOnly,
       "after the refusals: 0x%08lx, %s\n", Status, ModeName(Mode));

    /* Changed at will until the silo starts, then fixed */
    Status = SetRegistryMode(Silo, SILO_REGISTRY_CONFIGURATION_VERSION, SiloRegistryHostReadWrite, 0, NULL);
    ok(Status == STATUS_SUCCESS, "host-readwrite: 0x%08lx\n", Status);
    Status = QueryRegistryMode(Silo, &Mode);
    ok(Status == STATUS_SUCCESS && Mode == SiloRegistryHostReadWrite, "set: 0x%08lx, %s\n", Status, ModeName(Mode));
    Status = SetRegistryMode(Silo, SILO_REGISTRY_CONFIGURATION_VERSION, SiloRegistryHostReadOnly, 0, NULL);
    ok(Status == STATUS_SUCCESS, "back to host-readonly: 0x%08lx\n", Status);
    Status = SetRegistryMode(Silo, SILO_REGISTRY_CONFIGURATION_VERSION, SiloRegistryHostReadWrite, 0, NULL);
    ok(Status == STATUS_SUCCESS, "host-readwrite again: 0x%08lx\n", Status);

    ZeroMemory(&Root, sizeof(Root));
    Root.ControlFlags = SILO_OBJECT_ROOT_DIRECTORY_ALL;
    ok(NT_SUCCESS(NtSetInformationJobObject(Silo, JobObjectSiloRootDirectory, &Root, sizeof(Root))), "root failed\n");
    ZeroMemory(&Init, sizeof(Init));
    ok(NT_SUCCESS(NtSetInformationJobObject(Silo, JobObjectServerSiloInitialize, &Init, sizeof(Init))),
       "initialize failed\n");
    Status = SetRegistryMode(Silo, SILO_REGISTRY_CONFIGURATION_VERSION, SiloRegistryHostReadOnly, 0, NULL);
    ok(Status == STATUS_CONTAINER_ASSIGNED, "after initialize: 0x%08lx\n", Status);
    Status = QueryRegistryMode(Silo, &Mode);
    ok(Status == STATUS_SUCCESS && Mode == SiloRegistryHostReadWrite,
       "after initialize: 0x%08lx, %s\n", Status, ModeName(Mode));
    NtClose(Silo);
}

/* A server silo of the given registry mode (the default when SetMode is FALSE) */
static
NTSTATUS
MakeServerSiloInMode(
    _In_ BOOLEAN SetMode,
    _In_ SILO_REGISTRY_MODE Mode,
    _Out_ PHANDLE Silo)
{
    SILOOBJECT_ROOT_DIRECTORY Root;
    SERVERSILO_INIT_INFORMATION Init;
    NTSTATUS Status;

    Status = MakeSilo(Silo);
    if (!NT_SUCCESS(Status)) return Status;

    ZeroMemory(&Root, sizeof(Root));
    Root.ControlFlags = SILO_OBJECT_ROOT_DIRECTORY_ALL;
    Status = NtSetInformationJobObject(*Silo, JobObjectSiloRootDirectory, &Root, sizeof(Root));
    if (NT_SUCCESS(Status) && SetMode)
    {
        Status = SetRegistryMode(*Silo, SILO_REGISTRY_CONFIGURATION_VERSION, Mode, 0, NULL);
    }
    if (NT_SUCCESS(Status))
    {
        ZeroMemory(&Init, sizeof(Init));
        Status = NtSetInformationJobObject(*Silo, JobObjectServerSiloInitialize, &Init, sizeof(Init));
    }
    if (!NT_SUCCESS(Status))
    {
        NtClose(*Silo);
        *Silo = NULL;
    }
    return Status;
}

/*
 * A silo process writes the host's key; the host then reads what landed.
 * host-readonly (by default and when set) leaves the key as the host made it;
 * host-readwrite, the control, shows the same writes land when allowed.
 */
static
void
TestRegistryModeWrites(
    _In_ BOOLEAN SetMode,
    _In_ SILO_REGISTRY_MODE Mode)
{
    PROCESS_INFORMATION Child;
    CHAR Argument[16];
    HANDLE Key, SubKey, Silo;
    BOOLEAN Writable = (Mode == SiloRegistryHostReadWrite);
    BOOLEAN SubKeyThere;
    ULONG Canary;
    DWORD ExitCode;

    if (!NT_SUCCESS(CreateVolatileKey(REGMODE_KEY, &Key)))
    {
        ok(FALSE, "cannot create %S\n", REGMODE_KEY);
        return;
    }
    ok(NT_SUCCESS(SetCanary(Key, REGMODE_HOST_DATA)), "cannot set the host's canary\n");
    if (NT_SUCCESS(OpenKeyByName(REGMODE_SUBKEY, DELETE, &SubKey)))
    {
        NtDeleteKey(SubKey);
        NtClose(SubKey);
    }

    if (!NT_SUCCESS(MakeServerSiloInMode(SetMode, Mode, &Silo)))
    {
        ok(FALSE, "cannot make a %s server silo\n", ModeName(Mode));
        NtClose(Key);
        return;
    }
    _snprintf(Argument, sizeof(Argument), "%d", (int)Mode);
    Argument[sizeof(Argument) - 1] = ANSI_NULL;
    ok(SpawnChild(CHILD_MODE_REGISTRY_WRITE, Argument, TRUE, 0, &Child), "SpawnChild failed\n");
    ok(NT_SUCCESS(NtAssignProcessToJobObject(Silo, Child.hProcess)), "assign to the silo failed\n");
    ResumeThread(Child.hThread);
    ExitCode = WaitChild(&Child);
    ok(ExitCode == 0, "%s%s: the silo's writes got other statuses: mask 0x%lx\n",
       ModeName(Mode), SetMode ? "" : " (default)", ExitCode);
    CloseChild(&Child);
    NtTerminateJobObject(Silo, STATUS_SUCCESS);
    NtClose(Silo);

    /* What the host sees: its own canary, or the silo's when it may write */
    Canary = ReadCanary(Key);
    SubKeyThere = NT_SUCCESS(OpenKeyByName(REGMODE_SUBKEY, DELETE, &SubKey));
    ok(Canary == (Writable ? REGMODE_SILO_DATA : REGMODE_HOST_DATA), "%s: host canary %lu\n", ModeName(Mode), Canary);
    ok(SubKeyThere == Writable, "%s: the silo's subkey is %s on the host\n",
       ModeName(Mode), SubKeyThere ? "there" : "missing");
    trace("registry-mode: mode=%s set=%d host-canary=%lu host-subkey=%d child=0x%lx\n",
          ModeName(Mode), SetMode, Canary, SubKeyThere, ExitCode);
    if (SubKeyThere)
    {
        NtDeleteKey(SubKey);
        NtClose(SubKey);
    }
    NtDeleteKey(Key);
    NtClose(Key);
}

START_TEST(registrymode)
{
    ok(EnableTcb(TRUE), "SeTcbPrivilege not available: the silo tests need SYSTEM\n");
    TestRegistryModeInterface();
    TestRegistryModeWrites(FALSE, SiloRegistryHostReadOnly);
    TestRegistryModeWrites(TRUE, SiloRegistryHostReadOnly);
    TestRegistryModeWrites(TRUE, SiloRegistryHostReadWrite);
}
