/*
 * PROJECT:     ReactOS server-silo test harness
 * LICENSE:     GPL-2.0-or-later (https://spdx.org/licenses/GPL-2.0-or-later)
 * PURPOSE:     The calls of the escape battery that the attacker in the silo
 *              and the host's control make alike: machine-wide operations,
 *              registry writes and lent host objects
 * COPYRIGHT:   Copyright 2026 ReactOS server-silo project contributors
 */

#include "precomp.h"
#include <dpfilter.h>
#include <ndk/cmfuncs.h>
#include <ndk/kdfuncs.h>
#include <ndk/kefuncs.h>
#include <ndk/mmfuncs.h>
#include "escape.h"

/*
 * Each call is the attack when Control is FALSE. With Control TRUE the host
 * makes the same call in the form that changes nothing for good: it sets
 * what it reads back, and writes, deletes or renames only objects of its
 * own (the scratch names below) instead of those the attacker aims at.
 */
#define ESCAPE_KERNEL_ADDRESS       ((PVOID)(ULONG_PTR)0xFFDF0000)  /* KUSER_SHARED_DATA */
#define ESCAPE_SCRATCH_VALUE        L"HostScratch"
#define ESCAPE_SCRATCH_LINK         L"\\SiloEscapeScratchLink"
#define ESCAPE_SCRATCH_EVENT        L"\\SiloEscapeScratchEvent"
#define ESCAPE_SCRATCH_DIR_NAME     L"HostMade"
#define ESCAPE_SECURITY_BYTES       1024

VOID
EscapeInitName(
    _Out_ POBJECT_ATTRIBUTES Attributes,
    _Out_ PUNICODE_STRING NameString,
    _In_ PCWSTR Name,
    _In_ ULONG Flags,
    _In_opt_ HANDLE Root)
{
    RtlInitUnicodeString(NameString, Name);
    InitializeObjectAttributes(Attributes, NameString, OBJ_CASE_INSENSITIVE | Flags, Root, NULL);
}

/* Every privilege the token has, enabled; returns how many */
ULONG
EscapeEnableAllPrivileges(VOID)
{
    ULONG Privilege, Enabled = 0;
    BOOLEAN Old;

    for (Privilege = SE_MIN_WELL_KNOWN_PRIVILEGE; Privilege <= SE_MAX_WELL_KNOWN_PRIVILEGE; Privilege++)
    {
        if (NT_SUCCESS(RtlAdjustPrivilege(Privilege, TRUE, FALSE, &Old))) Enabled++;
    }
    return Enabled;
}

/* Opens a named object with Open and closes it again; the status is the result */
static
NTSTATUS
TryOpen(
    _In_ NTSTATUS (NTAPI *Open)(PHANDLE, ACCESS_MASK, POBJECT_ATTRIBUTES),
    _In_ PCWSTR Name,
    _In_ ACCESS_MASK Access)
{
    OBJECT_ATTRIBUTES Attributes;
    UNICODE_STRING NameString;
    HANDLE Handle;
    NTSTATUS Status;

    EscapeInitName(&Attributes, &NameString, Name, 0, NULL);
    Status = Open(&Handle, Access, &Attributes);
    if (NT_SUCCESS(Status)) NtClose(Handle);
    return Status;
}

static
NTSTATUS
MachineWideCall(
    _In_ ESCAPE_ATTACK Attack,
    _In_ BOOLEAN Control)
{
    UNICODE_STRING Name, Value;
    LARGE_INTEGER Time, Size;
    ULONG Flags, Length, Interval;
    RTL_TIME_ZONE_INFORMATION TimeZone;
    LCID Locale;
    LANGID Language;
    UCHAR Buffer[64];
    UCHAR Seed[6] = { 1, 2, 3, 4, 5, 6 };
    NTSTATUS Status;

    switch (Attack)
    {
        case EscapeLoadDriver:
            /* Loaded already: the host hears STATUS_IMAGE_ALREADY_LOADED */
            RtlInitUnicodeString(&Name, ESCAPE_LOADED_SERVICE);
            return NtLoadDriver(&Name);

        case EscapeUnloadDriver:
            RtlInitUnicodeString(&Name, ESCAPE_MISSING_SERVICE);
            return NtUnloadDriver(&Name);

        case EscapeSetTime:
            NtQuerySystemTime(&Time);
            if (!Control) Time.QuadPart += ESCAPE_TIME_SHIFT;
            return NtSetSystemTime(&Time, NULL);

        case EscapeSetTimeZone:
            Status = NtQuerySystemInformation(SystemCurrentTimeZoneInformation, &TimeZone, sizeof(TimeZone), NULL);
            if (!NT_SUCCESS(Status)) return Status;
            if (!Control) TimeZone.Bias += ESCAPE_BIAS_SHIFT;
            return NtSetSystemInformation(SystemCurrentTimeZoneInformation, &TimeZone, sizeof(TimeZone));

        case EscapeSetGlobalFlag:
            Status = NtQuerySystemInformation(SystemFlagsInformation, &Flags, sizeof(Flags), NULL);
            if (!NT_SUCCESS(Status)) return Status;
            if (!Control) Flags ^= FLG_SHOW_LDR_SNAPS;
            return NtSetSystemInformation(SystemFlagsInformation, &Flags, sizeof(Flags));

        case EscapeDebugControl:
            /* Kernel memory through the debugger interface */
            return NtSystemDebugControl(SysDbgReadVirtual, ESCAPE_KERNEL_ADDRESS, sizeof(Buffer),
                                        Buffer, sizeof(Buffer), &Length);

        case EscapeDebugFilter:
            Status = NtQueryDebugFilterState(DPFLTR_DEFAULT_ID, DPFLTR_INFO_LEVEL);
            return NtSetDebugFilterState(DPFLTR_DEFAULT_ID, DPFLTR_INFO_LEVEL,
                                         Control ? (Status == TRUE) : (Status != TRUE));

        case EscapePagingFile:
            Size.QuadPart = ESCAPE_PAGING_FILE_BYTES;
            RtlInitUnicodeString(&Name, ESCAPE_PAGING_FILE);
            return NtCreatePagingFile(&Name, &Size, &Size, 0);

        case EscapeFirmwareQuery:
            RtlInitUnicodeString(&Name, ESCAPE_FIRMWARE_VARIABLE);
            return NtQuerySystemEnvironmentValue(&Name, (PWSTR)Buffer, sizeof(Buffer), &Length);

        case EscapeFirmwareSet:
            /* A name the firmware layer does not keep */
            RtlInitUnicodeString(&Name, ESCAPE_FIRMWARE_VARIABLE);
            RtlInitUnicodeString(&Value, L"1");
            return NtSetSystemEnvironmentValue(&Name, &Value);

        case EscapeBootEntries:
            Length = sizeof(Buffer);
            return NtEnumerateBootEntries(Buffer, &Length);

        case EscapeBootOptions:
            ZeroMemory(Buffer, sizeof(Buffer));
            return NtSetBootOptions((PBOOT_OPTIONS)Buffer, 0);

        case EscapeSystemLocale:
            Status = NtQueryDefaultLocale(FALSE, &Locale);
            if (!NT_SUCCESS(Status)) return Status;
            return NtSetDefaultLocale(FALSE, Control ? Locale : ESCAPE_OTHER_LCID);

        case EscapeUiLanguage:
            Status = NtQueryDefaultUILanguage(&Language);
            if (!NT_SUCCESS(Status)) return Status;
            return NtSetDefaultUILanguage(Control ? Language : ESCAPE_OTHER_LCID);

        case EscapeUuidSeed:
            return NtSetUuidSeed(Seed);

        case EscapePlugPlay:
            ZeroMemory(Buffer, sizeof(Buffer));
            return NtPlugPlayControl(PlugPlayControlDeviceStatus, Buffer, sizeof(Buffer));

        case EscapeDisplayString:
            RtlInitUnicodeString(&Name, L"silo escape battery\r\n");
            return NtDisplayString(&Name);

        case EscapeProfileInterval:
            Status = NtQueryIntervalProfile(ProfileTime, &Interval);
            if (!NT_SUCCESS(Status)) return Status;
            return NtSetIntervalProfile(Control ? Interval : Interval * 2, ProfileTime);

        case EscapeInitializeRegistry:
            return NtInitializeRegistry(CM_BOOT_FLAG_SMSS);

        default:
            return STATUS_INVALID_PARAMETER;
    }
}

static
NTSTATUS
OpenKey(
    _In_ PCWSTR Name,
    _In_ ACCESS_MASK Access,
    _Out_ PHANDLE Key)
{
    OBJECT_ATTRIBUTES Attributes;
    UNICODE_STRING NameString;

    EscapeInitName(&Attributes, &NameString, Name, 0, NULL);
    return NtOpenKey(Key, Access, &Attributes);
}

static
NTSTATUS
RegistryCall(
    _In_ ESCAPE_ATTACK Attack,
    _In_ BOOLEAN Control)
{
    OBJECT_ATTRIBUTES Attributes, FileAttributes;
    UNICODE_STRING NameString, FileString, ValueName;
    SECURITY_DESCRIPTOR Descriptor;
    UCHAR Security[ESCAPE_SECURITY_BYTES];
    KEY_WRITE_TIME_INFORMATION WriteTime;
    ULONG Data, Disposition, Length;
    HANDLE Key;
    NTSTATUS Status;

    switch (Attack)
    {
        case EscapeRegCreateKey:
            EscapeInitName(&Attributes, &NameString, Control ? ESCAPE_KEY_HOST_NEW : ESCAPE_KEY_NEW, 0, NULL);
            Status = NtCreateKey(&Key, KEY_ALL_ACCESS, &Attributes, 0, NULL, REG_OPTION_VOLATILE, &Disposition);
            if (NT_SUCCESS(Status)) NtClose(Key);
            return Status;

        case EscapeRegLoadKey:
            EscapeInitName(&Attributes, &NameString, ESCAPE_KEY_HIVE, 0, NULL);
            EscapeInitName(&FileAttributes, &FileString, ESCAPE_KEY_HIVE_FILE, 0, NULL);
            return NtLoadKey(&Attributes, &FileAttributes);

        case EscapeRegDeleteKey:
            /* The control deletes the key its own create made */
            Status = OpenKey(Control ? ESCAPE_KEY_HOST_NEW : ESCAPE_KEY_VICTIM, KEY_ALL_ACCESS, &Key);
            if (!NT_SUCCESS(Status)) return Status;
            Status = NtDeleteKey(Key);
            NtClose(Key);
            return Status;

        default:
            break;
    }

    /* The rest act on the host's key, which a silo may open with any access and read */
    Status = OpenKey(ESCAPE_KEY, KEY_ALL_ACCESS, &Key);
    if (!NT_SUCCESS(Status)) return Status;

    switch (Attack)
    {
        case EscapeRegSetValue:
            RtlInitUnicodeString(&ValueName, ESCAPE_VALUE);
            Data = Control ? ESCAPE_VALUE_DATA : ESCAPE_VALUE_DATA + 1;
            Status = NtSetValueKey(Key, &ValueName, 0, REG_DWORD, &Data, sizeof(Data));
            break;

        case EscapeRegDeleteValue:
            /* The control deletes a value of its own */
            RtlInitUnicodeString(&ValueName, Control ? ESCAPE_SCRATCH_VALUE : ESCAPE_VALUE);
            Data = ESCAPE_VALUE_DATA;
            Status = Control ? NtSetValueKey(Key, &ValueName, 0, REG_DWORD, &Data, sizeof(Data)) : STATUS_SUCCESS;
            if (NT_SUCCESS(Status)) Status = NtDeleteValueKey(Key, &ValueName);
            break;

        case EscapeRegSetSecurity:
            if (Control)
            {
                /* The same security, set again */
                Status = NtQuerySecurityObject(Key, DACL_SECURITY_INFORMATION, Security, sizeof(Security), &Length);
                if (NT_SUCCESS(Status)) Status = NtSetSecurityObject(Key, DACL_SECURITY_INFORMATION, Security);
                break;
            }
            RtlCreateSecurityDescriptor(&Descriptor, SECURITY_DESCRIPTOR_REVISION);
            RtlSetDaclSecurityDescriptor(&Descriptor, TRUE, NULL, FALSE);
            Status = NtSetSecurityObject(Key, DACL_SECURITY_INFORMATION, &Descriptor);
            break;

        case EscapeRegRenameKey:
            RtlInitUnicodeString(&NameString, L"SiloEscapeRenamed");
            Status = NtRenameKey(Key, &NameString);
            break;

        case EscapeRegSetInformation:
            NtQuerySystemTime(&WriteTime.LastWriteTime);
            Status = NtSetInformationKey(Key, KeyWriteTimeInformation, &WriteTime, sizeof(WriteTime));
            break;

        case EscapeRegSaveKey:
            EnablePrivilege(SE_BACKUP_PRIVILEGE);
            Status = NtSaveKey(Key, ESCAPE_BOGUS_FILE);
            break;

        default:
            Status = STATUS_INVALID_PARAMETER;
            break;
    }
    NtClose(Key);
    return Status;
}

static
NTSTATUS
CreateEventIn(
    _In_opt_ HANDLE Root,
    _In_ PCWSTR Name,
    _In_ ULONG Flags,
    _Out_ PHANDLE Event)
{
    OBJECT_ATTRIBUTES Attributes;
    UNICODE_STRING NameString;

    EscapeInitName(&Attributes, &NameString, Name, Flags, Root);
    return NtCreateEvent(Event, EVENT_ALL_ACCESS, &Attributes, NotificationEvent, FALSE);
}

/* The attacker uses what it got: it signals an event it could open for that */
static
VOID
UseEvent(
    _In_ HANDLE Event,
    _In_ BOOLEAN Control)
{
    if (!Control) NtSetEvent(Event, NULL);
    NtClose(Event);
}

static
NTSTATUS
CreateEventThroughHostDirectory(
    _In_ PCWSTR Name,
    _In_ ULONG Flags,
    _In_ BOOLEAN Control)
{
    OBJECT_ATTRIBUTES Attributes;
    UNICODE_STRING NameString;
    HANDLE Directory, Event;
    NTSTATUS Status;

    EscapeInitName(&Attributes, &NameString, ESCAPE_HOST_DIRECTORY, 0, NULL);
    Status = NtOpenDirectoryObject(&Directory, DIRECTORY_TRAVERSE | DIRECTORY_QUERY, &Attributes);
    if (!NT_SUCCESS(Status)) return Status;
    Status = CreateEventIn(Directory, Name, Flags, &Event);
    if (NT_SUCCESS(Status)) UseEvent(Event, Control);
    NtClose(Directory);
    return Status;
}

/* Makes a name temporary (the host's link, or the control's own) or permanent (the host's event, or its own) */
static
NTSTATUS
ChangePermanence(
    _In_ BOOLEAN MakePermanent,
    _In_ BOOLEAN Control)
{
    OBJECT_ATTRIBUTES Attributes;
    UNICODE_STRING NameString, Target;
    HANDLE Handle;
    NTSTATUS Status;

    if (Control)
    {
        if (MakePermanent)
        {
            Status = CreateEventIn(NULL, ESCAPE_SCRATCH_EVENT, 0, &Handle);
        }
        else
        {
            EscapeInitName(&Attributes, &NameString, ESCAPE_SCRATCH_LINK, OBJ_PERMANENT, NULL);
            RtlInitUnicodeString(&Target, ESCAPE_HOST_EVENT);
            Status = NtCreateSymbolicLinkObject(&Handle, SYMBOLIC_LINK_ALL_ACCESS, &Attributes, &Target);
        }
    }
    else if (MakePermanent)
    {
        EscapeInitName(&Attributes, &NameString, ESCAPE_HOST_EVENT, 0, NULL);
        Status = NtOpenEvent(&Handle, SYNCHRONIZE, &Attributes);
    }
    else
    {
        /* It needs DELETE on the link (opened as itself, not followed); with it, the host's name would go */
        EscapeInitName(&Attributes, &NameString, ESCAPE_HOST_LINK, 0, NULL);
        Status = NtOpenSymbolicLinkObject(&Handle, DELETE | SYMBOLIC_LINK_QUERY, &Attributes);
    }
    if (!NT_SUCCESS(Status)) return Status;

    Status = MakePermanent ? NtMakePermanentObject(Handle) : NtMakeTemporaryObject(Handle);

    /* The control's own event goes again */
    if (Control && MakePermanent) NtMakeTemporaryObject(Handle);
    NtClose(Handle);
    return Status;
}

static
NTSTATUS
LentObjectCall(
    _In_ ESCAPE_ATTACK Attack,
    _In_ BOOLEAN Control)
{
    OBJECT_ATTRIBUTES Attributes;
    UNICODE_STRING NameString, Target;
    HANDLE Handle, Other;
    PVOID View = NULL;
    SIZE_T ViewSize = 0;
    NTSTATUS Status;

    switch (Attack)
    {
        case EscapeOpenAllAccess:
            return TryOpen(NtOpenEvent, ESCAPE_HOST_EVENT, EVENT_ALL_ACCESS);

        case EscapeOpenDelete:
            return TryOpen(NtOpenEvent, ESCAPE_HOST_EVENT, DELETE | SYNCHRONIZE);

        case EscapeOpenWriteDac:
            return TryOpen(NtOpenEvent, ESCAPE_HOST_EVENT, WRITE_DAC | SYNCHRONIZE);

        case EscapeOpenWriteOwner:
            return TryOpen(NtOpenEvent, ESCAPE_HOST_EVENT, WRITE_OWNER | SYNCHRONIZE);

        case EscapeOpenMaximumAllowed:
            return TryOpen(NtOpenEvent, ESCAPE_HOST_EVENT, MAXIMUM_ALLOWED);

        case EscapeRaiseEventHandle:
            EscapeInitName(&Attributes, &NameString, ESCAPE_HOST_EVENT, 0, NULL);
            Status = NtOpenEvent(&Handle, SYNCHRONIZE, &Attributes);
            if (!NT_SUCCESS(Status)) return Status;
            Status = NtDuplicateObject(NtCurrentProcess(), Handle, NtCurrentProcess(), &Other,
                                       EVENT_MODIFY_STATE, 0, 0);
            if (NT_SUCCESS(Status)) UseEvent(Other, Control);
            NtClose(Handle);
            return Status;

        case EscapeOpenIfThroughShadow:
            /* In a silo this makes an event of its own: setting it must not set the host's */
            Status = CreateEventIn(NULL, ESCAPE_HOST_EVENT, OBJ_OPENIF, &Handle);
            if (NT_SUCCESS(Status)) UseEvent(Handle, Control);
            return Status;

        case EscapeOpenIfThroughHandle:
            return CreateEventThroughHostDirectory(ESCAPE_HOST_DIR_EVENT, OBJ_OPENIF, Control);

        case EscapeCreateInHostDirectory:
            return CreateEventThroughHostDirectory(Control ? ESCAPE_SCRATCH_DIR_NAME : ESCAPE_SILO_NEW_NAME, 0,
                                                   Control);

        case EscapeMakeTemporary:
            return ChangePermanence(FALSE, Control);

        case EscapeMakePermanent:
            return ChangePermanence(TRUE, Control);

        case EscapeLinkToHostObject:
            /* The silo makes a link of its own aimed at the host's event; the host has its link */
            if (Control) return TryOpen(NtOpenEvent, ESCAPE_HOST_LINK, EVENT_MODIFY_STATE);
            EscapeInitName(&Attributes, &NameString, ESCAPE_SILO_LINK, 0, NULL);
            RtlInitUnicodeString(&Target, ESCAPE_HOST_EVENT);
            Status = NtCreateSymbolicLinkObject(&Other, SYMBOLIC_LINK_ALL_ACCESS, &Attributes, &Target);
            if (!NT_SUCCESS(Status)) return Status;
            Status = TryOpen(NtOpenEvent, ESCAPE_SILO_LINK, EVENT_MODIFY_STATE);
            NtClose(Other);
            return Status;

        case EscapeSectionWriteAccess:
            return TryOpen(NtOpenSection, ESCAPE_HOST_SECTION, SECTION_MAP_WRITE | SECTION_MAP_READ);

        case EscapeSectionMapWritable:
            /* The attacker maps what it may open for reading; the host opens for writing */
            EscapeInitName(&Attributes, &NameString, ESCAPE_HOST_SECTION, 0, NULL);
            Status = NtOpenSection(&Handle, Control ? (SECTION_MAP_READ | SECTION_MAP_WRITE) : SECTION_MAP_READ,
                                   &Attributes);
            if (!NT_SUCCESS(Status)) return Status;
            Status = NtMapViewOfSection(Handle, NtCurrentProcess(), &View, 0, 0, NULL, &ViewSize,
                                        ViewUnmap, 0, PAGE_READWRITE);
            if (NT_SUCCESS(Status))
            {
                if (!Control) *(volatile ULONG *)View = ~ESCAPE_SECTION_CANARY;
                NtUnmapViewOfSection(NtCurrentProcess(), View);
            }
            NtClose(Handle);
            return Status;

        case EscapeSemaphoreModify:
            return TryOpen(NtOpenSemaphore, ESCAPE_HOST_SEMAPHORE, SEMAPHORE_MODIFY_STATE);

        case EscapeMutantAllAccess:
            return TryOpen(NtOpenMutant, ESCAPE_HOST_MUTANT, MUTANT_ALL_ACCESS);

        case EscapeTimerModify:
            return TryOpen(NtOpenTimer, ESCAPE_HOST_TIMER, TIMER_MODIFY_STATE);

        case EscapeDirectoryCreateAccess:
            return TryOpen(NtOpenDirectoryObject, ESCAPE_HOST_DIRECTORY, DIRECTORY_CREATE_OBJECT);

        case EscapePhysicalMemory:
            return TryOpen(NtOpenSection, ESCAPE_PHYSICAL_MEMORY, SECTION_MAP_READ);

        case EscapeHostPort:
        case EscapeLsaPort:
            return EscapeConnectPort((Attack == EscapeHostPort) ? ESCAPE_HOST_PORT : ESCAPE_LSA_PORT);

        default:
            return STATUS_INVALID_PARAMETER;
    }
}

/* Connects to a port by name and lets go again; the status is the result */
NTSTATUS
EscapeConnectPort(
    _In_ PCWSTR PortName)
{
    UNICODE_STRING Name;
    SECURITY_QUALITY_OF_SERVICE Qos;
    HANDLE Port;
    NTSTATUS Status;

    RtlInitUnicodeString(&Name, PortName);
    Qos.Length = sizeof(Qos);
    Qos.ImpersonationLevel = SecurityIdentification;
    Qos.ContextTrackingMode = SECURITY_DYNAMIC_TRACKING;
    Qos.EffectiveOnly = TRUE;
    Status = NtConnectPort(&Port, &Name, &Qos, NULL, NULL, NULL, NULL, NULL);
    if (NT_SUCCESS(Status)) NtClose(Port);
    return Status;
}

/*
 * Creates a process (no thread) of this program's image under Parent, then
 * ends it: the parent-spoofing call. ReactOS needs an image section here
 * (a process cloned from a parent's address space is not supported).
 */
NTSTATUS
EscapeCreateProcessUnder(
    _In_ HANDLE Parent)
{
    WCHAR Image[MAX_PATH];
    HANDLE File, Section, Process;
    NTSTATUS Status;

    if (!GetModuleFileNameW(NULL, Image, ARRAYSIZE(Image))) return STATUS_OBJECT_NAME_NOT_FOUND;
    File = CreateFileW(Image, GENERIC_READ | GENERIC_EXECUTE, FILE_SHARE_READ | FILE_SHARE_DELETE, NULL,
                       OPEN_EXISTING, 0, NULL);
    if (File == INVALID_HANDLE_VALUE) return STATUS_OBJECT_NAME_NOT_FOUND;
    Status = NtCreateSection(&Section, SECTION_ALL_ACCESS, NULL, NULL, PAGE_EXECUTE, SEC_IMAGE, File);
    CloseHandle(File);
    if (!NT_SUCCESS(Status)) return Status;

    Status = NtCreateProcessEx(&Process, PROCESS_ALL_ACCESS, NULL, Parent, 0, Section, NULL, NULL, 0);
    NtClose(Section);
    if (NT_SUCCESS(Status))
    {
        NtTerminateProcess(Process, STATUS_SUCCESS);
        NtClose(Process);
    }
    return Status;
}

/*
 * One call of the battery, for the attacks that are the same call from the
 * silo and from the host: machine-wide operations, registry writes and lent
 * host objects (the process attacks need what only one side has).
 */
NTSTATUS
EscapeCall(
    _In_ ESCAPE_ATTACK Attack,
    _In_ BOOLEAN Control)
{
    if (Attack < EscapeLoadDriver) return STATUS_INVALID_PARAMETER;
    if (Attack < EscapeRegCreateKey) return MachineWideCall(Attack, Control);
    if (Attack < EscapeOpenAllAccess) return RegistryCall(Attack, Control);
    return LentObjectCall(Attack, Control);
}
