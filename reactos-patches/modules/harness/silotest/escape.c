/*
 * PROJECT:     ReactOS server-silo test harness
 * LICENSE:     GPL-2.0-or-later (https://spdx.org/licenses/GPL-2.0-or-later)
 * PURPOSE:     The escape battery: a SYSTEM process inside an SMSS-started
 *              server silo tries every known way to reach the host; the host
 *              proves nothing of its changed and that each call works from
 *              the host (so each check can fail)
 * COPYRIGHT:   Copyright 2026 ReactOS server-silo project contributors
 */

#include "precomp.h"
#include <dpfilter.h>
#include <ndk/cmfuncs.h>
#include <ndk/kdfuncs.h>
#include <ndk/kefuncs.h>
#include <ndk/mmfuncs.h>
#include "escape.h"

#define ESCAPE_CHILD_TIMEOUT_MS     60000
#define ESCAPE_SILOS                2       /* attackers in silos of their own, all at once */
#define ESCAPE_HARD_ERROR           STATUS_ACCESS_VIOLATION
#define SILONATIVE_IMAGE            L"silonative.exe"
#define SILONATIVE_HARD_ERROR_ARG   L"harderror"
#define SILONATIVE_SB_PORT_ARG      L"sbport"
#define ESCAPE_HOST_SB_PORT         L"\\Windows\\SbApiPort"
#define KEY_SECURITY_BYTES          1024
#define ESCAPE_PORT_SERVER_ENDS     8

/* The statuses the gates return (documented in the README) */
#define SILO_MACHINE_WIDE_DENIED    STATUS_PRIVILEGE_NOT_HELD
#define SILO_REGISTRY_DENIED        STATUS_ACCESS_DENIED
#define SILO_LENT_OBJECT_DENIED     STATUS_ACCESS_DENIED

typedef struct _ESCAPE_CASE
{
    ESCAPE_ATTACK Attack;
    PCSTR Name;
    ESCAPE_BLOCK Block;
    NTSTATUS Expected;
    ESCAPE_CONTROL Control;
} ESCAPE_CASE;

static const ESCAPE_CASE EscapeCases[EscapeAttackCount] =
{
    { EscapeOpenHostProcess,        "open-host-process",        EscapeBlockedAsMissing, 0, EscapeControlSucceeds },
    { EscapeOpenHostProcessByCid,   "open-host-process-cid",    EscapeBlockedAsMissing, 0, EscapeControlSucceeds },
    { EscapeOpenHostThread,         "open-host-thread",         EscapeBlockedAsMissing, 0, EscapeControlSucceeds },
    { EscapeOpenHostThreadByCid,    "open-host-thread-cid",     EscapeBlockedAsMissing, 0, EscapeControlSucceeds },
    { EscapeOpenHostCsrss,          "open-host-csrss",          EscapeBlockedAsMissing, 0, EscapeControlSucceeds },
    { EscapeListProcesses,          "list-processes",           EscapeBlockedIfFailed, 0, EscapeControlSucceeds },
    { EscapeListHandles,            "list-handles",             EscapeBlockedIfFailed, 0, EscapeControlSucceeds },
    { EscapeListHandlesEx,          "list-handles-ex",          EscapeBlockedIfFailed, 0, EscapeControlSucceeds },
    { EscapeParentSpoof,            "parent-spoof",             EscapeBlockedAs, STATUS_ACCESS_DENIED, EscapeControlSucceeds },
    { EscapeRaiseProcessHandle,     "raise-process-handle",     EscapeBlockedAs, STATUS_ACCESS_DENIED, EscapeControlSucceeds },
    /* Cloning is not implemented for anybody; before patch 0020 the call took the machine down */
    { EscapeCloneProcess,           "clone-process",            EscapeBlockedAs, STATUS_NOT_IMPLEMENTED, EscapeControlNone },
    { EscapeLoadDriver,             "load-driver",              EscapeBlockedAs, SILO_MACHINE_WIDE_DENIED, EscapeControlDiffers },
    { EscapeUnloadDriver,           "unload-driver",            EscapeBlockedAs, SILO_MACHINE_WIDE_DENIED, EscapeControlDiffers },
    /* ReactOS's NtSetSystemTime fails on a LiveCD past the privilege check (no time zone key) */
    { EscapeSetTime,                "set-time",                 EscapeBlockedAs, SILO_MACHINE_WIDE_DENIED, EscapeControlDiffers },
    { EscapeSetTimeZone,            "set-time-zone",            EscapeBlockedAs, SILO_MACHINE_WIDE_DENIED, EscapeControlSucceeds },
    { EscapeSetGlobalFlag,          "set-global-flag",          EscapeBlockedAs, SILO_MACHINE_WIDE_DENIED, EscapeControlSucceeds },
    { EscapeDebugControl,           "debug-read-kernel",        EscapeBlockedAs, SILO_MACHINE_WIDE_DENIED, EscapeControlDiffers },
    { EscapeDebugFilter,            "debug-filter",             EscapeBlockedAs, SILO_MACHINE_WIDE_DENIED, EscapeControlSucceeds },
    { EscapePagingFile,             "paging-file",              EscapeBlockedAs, SILO_MACHINE_WIDE_DENIED, EscapeControlDiffers },
    { EscapeFirmwareQuery,          "firmware-query",           EscapeBlockedAs, SILO_MACHINE_WIDE_DENIED, EscapeControlDiffers },
    { EscapeFirmwareSet,            "firmware-set",             EscapeBlockedAs, SILO_MACHINE_WIDE_DENIED, EscapeControlDiffers },
    { EscapeBootEntries,            "boot-entries",             EscapeBlockedAs, SILO_MACHINE_WIDE_DENIED, EscapeControlDiffers },
    { EscapeBootOptions,            "boot-options",             EscapeBlockedAs, SILO_MACHINE_WIDE_DENIED, EscapeControlDiffers },
    { EscapeSystemLocale,           "system-locale",            EscapeBlockedAs, SILO_MACHINE_WIDE_DENIED, EscapeControlSucceeds },
    { EscapeUiLanguage,             "ui-language",              EscapeBlockedAs, SILO_MACHINE_WIDE_DENIED, EscapeControlSucceeds },
    { EscapeUuidSeed,               "uuid-seed",                EscapeBlockedAs, SILO_MACHINE_WIDE_DENIED, EscapeControlDiffers },
    { EscapePlugPlay,               "plug-and-play",            EscapeBlockedAs, SILO_MACHINE_WIDE_DENIED, EscapeControlDiffers },
    { EscapeDisplayString,          "boot-screen",              EscapeBlockedAs, SILO_MACHINE_WIDE_DENIED, EscapeControlSucceeds },
    { EscapeProfileInterval,        "profile-interval",         EscapeBlockedAs, SILO_MACHINE_WIDE_DENIED, EscapeControlSucceeds },
    { EscapeInitializeRegistry,     "initialize-registry",      EscapeBlockedAs, SILO_MACHINE_WIDE_DENIED, EscapeControlDiffers },
    { EscapeRegCreateKey,           "registry-create-key",      EscapeBlockedAs, SILO_REGISTRY_DENIED, EscapeControlSucceeds },
    { EscapeRegSetValue,            "registry-set-value",       EscapeBlockedAs, SILO_REGISTRY_DENIED, EscapeControlSucceeds },
    { EscapeRegDeleteValue,         "registry-delete-value",    EscapeBlockedAs, SILO_REGISTRY_DENIED, EscapeControlSucceeds },
    { EscapeRegDeleteKey,           "registry-delete-key",      EscapeBlockedAs, SILO_REGISTRY_DENIED, EscapeControlSucceeds },
    { EscapeRegSetSecurity,         "registry-set-security",    EscapeBlockedAs, SILO_REGISTRY_DENIED, EscapeControlSucceeds },
    { EscapeRegLoadKey,             "registry-load-hive",       EscapeBlockedAs, SILO_REGISTRY_DENIED, EscapeControlDiffers },
    { EscapeRegRenameKey,           "registry-rename-key",      EscapeBlockedAs, SILO_REGISTRY_DENIED, EscapeControlDiffers },
    { EscapeRegSetInformation,      "registry-set-information", EscapeBlockedAs, SILO_REGISTRY_DENIED, EscapeControlDiffers },
    /* The host's control gets the bogus file handle's error: the gate comes before it */
    { EscapeRegSaveKey,             "registry-save-key",        EscapeBlockedAs, SILO_REGISTRY_DENIED, EscapeControlDiffers },
    { EscapeOpenAllAccess,          "lent-open-all-access",     EscapeBlockedAs, SILO_LENT_OBJECT_DENIED, EscapeControlSucceeds },
    { EscapeOpenDelete,             "lent-open-delete",         EscapeBlockedAs, SILO_LENT_OBJECT_DENIED, EscapeControlSucceeds },
    { EscapeOpenWriteDac,           "lent-open-write-dac",      EscapeBlockedAs, SILO_LENT_OBJECT_DENIED, EscapeControlSucceeds },
    { EscapeOpenWriteOwner,         "lent-open-write-owner",    EscapeBlockedAs, SILO_LENT_OBJECT_DENIED, EscapeControlSucceeds },
    { EscapeOpenMaximumAllowed,     "lent-open-maximum",        EscapeBlockedAs, SILO_LENT_OBJECT_DENIED, EscapeControlSucceeds },
    { EscapeRaiseEventHandle,       "lent-raise-handle",        EscapeBlockedAs, SILO_LENT_OBJECT_DENIED, EscapeControlSucceeds },
    { EscapeOpenIfThroughShadow,    "lent-openif-shadow",       EscapeBlockedIfNotExisting, 0, EscapeControlDiffers },
    { EscapeOpenIfThroughHandle,    "lent-openif-handle",       EscapeBlockedAs, SILO_LENT_OBJECT_DENIED, EscapeControlDiffers },
    { EscapeCreateInHostDirectory,  "lent-create-in-host-dir",  EscapeBlockedAs, SILO_LENT_OBJECT_DENIED, EscapeControlSucceeds },
    { EscapeMakeTemporary,          "lent-make-temporary",      EscapeBlockedAs, SILO_LENT_OBJECT_DENIED, EscapeControlSucceeds },
    { EscapeMakePermanent,          "lent-make-permanent",      EscapeBlockedAs, SILO_LENT_OBJECT_DENIED, EscapeControlSucceeds },
    { EscapeLinkToHostObject,       "lent-own-link-to-host",    EscapeBlockedAs, SILO_LENT_OBJECT_DENIED, EscapeControlSucceeds },
    { EscapeSectionWriteAccess,     "lent-section-write",       EscapeBlockedAs, SILO_LENT_OBJECT_DENIED, EscapeControlSucceeds },
    { EscapeSectionMapWritable,     "lent-section-map-rw",      EscapeBlockedIfFailed, 0, EscapeControlSucceeds },
    { EscapeSemaphoreModify,        "lent-semaphore-modify",    EscapeBlockedAs, SILO_LENT_OBJECT_DENIED, EscapeControlSucceeds },
    { EscapeMutantAllAccess,        "lent-mutant-all",          EscapeBlockedAs, SILO_LENT_OBJECT_DENIED, EscapeControlSucceeds },
    { EscapeTimerModify,            "lent-timer-modify",        EscapeBlockedAs, SILO_LENT_OBJECT_DENIED, EscapeControlSucceeds },
    { EscapeDirectoryCreateAccess,  "lent-directory-create",    EscapeBlockedAs, SILO_LENT_OBJECT_DENIED, EscapeControlSucceeds },
    /* \Device\PhysicalMemory is kernel-exclusive: no user-mode caller, host or silo, opens it */
    { EscapePhysicalMemory,         "physical-memory",          EscapeBlockedAs, STATUS_ACCESS_DENIED, EscapeControlNone },
    { EscapeHostPort,               "host-port",                EscapeBlockedAs, SILO_LENT_OBJECT_DENIED, EscapeControlSucceeds },
    { EscapeLsaPort,                "host-lsa-port",            EscapeBlockedAs, SILO_LENT_OBJECT_DENIED, EscapeControlSucceeds },
};

/* The host's objects the attacker aims at, and what they held before */
typedef struct _HOST_TARGETS
{
    PROCESS_INFORMATION Victim;
    HANDLE Event, Mutant, Semaphore, Timer, Section, Link, Directory, DirectoryEvent;
    HANDLE Port, Listener;
    volatile LONG PortConnections;
    volatile LONG ListenerStopping;
    HANDLE ServerPorts[ESCAPE_PORT_SERVER_ENDS];
    HANDLE Key;
    UCHAR KeySecurity[KEY_SECURITY_BYTES];
    ULONG KeySecurityLength;
    ULONG GlobalFlag, ModuleCount, ProfileInterval;
    LONG TimeZoneBias;
    LCID SystemLocale;
    LANGID UiLanguage;
    NTSTATUS DebugFilter;
    LARGE_INTEGER Time, Counter;
} HOST_TARGETS, *PHOST_TARGETS;

static
ULONG
ModuleCount(VOID)
{
    ULONG Buffer[1024];

    if (!NT_SUCCESS(NtQuerySystemInformation(SystemModuleInformation, Buffer, sizeof(Buffer), NULL)))
    {
        return MAXULONG;
    }
    return ((PRTL_PROCESS_MODULES)Buffer)->NumberOfModules;
}

/* Accepts every connection to the host's test port and counts them */
static
DWORD
WINAPI
PortListener(
    _In_ LPVOID Context)
{
    PHOST_TARGETS Host = Context;
    UCHAR Buffer[PORT_MAXIMUM_MESSAGE_LENGTH];
    PPORT_MESSAGE Request = (PPORT_MESSAGE)Buffer;
    HANDLE Server;

    ULONG Kept = 0;

    /* The server ends stay open while the listener runs: a client whose server end closed fails to connect */
    while (!Host->ListenerStopping)
    {
        if (!NT_SUCCESS(NtListenPort(Host->Port, Request))) break;
        if (!NT_SUCCESS(NtAcceptConnectPort(&Server, NULL, Request, TRUE, NULL, NULL))) continue;
        if (!Host->ListenerStopping) InterlockedIncrement(&Host->PortConnections);
        NtCompleteConnectPort(Server);
        if (Kept < ARRAYSIZE(Host->ServerPorts)) Host->ServerPorts[Kept++] = Server;
        else NtClose(Server);
    }
    while (Kept > 0) NtClose(Host->ServerPorts[--Kept]);
    return 0;
}

static
NTSTATUS
HostCreate(
    _In_ PHOST_TARGETS Host)
{
    OBJECT_ATTRIBUTES Attributes;
    UNICODE_STRING Name, Target, ValueName;
    LARGE_INTEGER SectionSize;
    PULONG View = NULL;
    SIZE_T ViewSize = 0;
    ULONG Data = ESCAPE_VALUE_DATA, Disposition;
    HANDLE Victim;
    NTSTATUS Status;

    EscapeInitName(&Attributes, &Name, ESCAPE_HOST_EVENT, 0, NULL);
    Status = NtCreateEvent(&Host->Event, EVENT_ALL_ACCESS, &Attributes, NotificationEvent, FALSE);
    if (!NT_SUCCESS(Status)) return Status;
    EscapeInitName(&Attributes, &Name, ESCAPE_HOST_MUTANT, 0, NULL);
    Status = NtCreateMutant(&Host->Mutant, MUTANT_ALL_ACCESS, &Attributes, FALSE);
    if (!NT_SUCCESS(Status)) return Status;
    EscapeInitName(&Attributes, &Name, ESCAPE_HOST_SEMAPHORE, 0, NULL);
    Status = NtCreateSemaphore(&Host->Semaphore, SEMAPHORE_ALL_ACCESS, &Attributes, 0, 10);
    if (!NT_SUCCESS(Status)) return Status;
    EscapeInitName(&Attributes, &Name, ESCAPE_HOST_TIMER, 0, NULL);
    Status = NtCreateTimer(&Host->Timer, TIMER_ALL_ACCESS, &Attributes, NotificationTimer);
    if (!NT_SUCCESS(Status)) return Status;

    SectionSize.QuadPart = ESCAPE_SECTION_BYTES;
    EscapeInitName(&Attributes, &Name, ESCAPE_HOST_SECTION, 0, NULL);
    Status = NtCreateSection(&Host->Section, SECTION_ALL_ACCESS, &Attributes, &SectionSize,
                             PAGE_READWRITE, SEC_COMMIT, NULL);
    if (!NT_SUCCESS(Status)) return Status;
    Status = NtMapViewOfSection(Host->Section, NtCurrentProcess(), (PVOID*)&View, 0, 0, NULL, &ViewSize,
                                ViewUnmap, 0, PAGE_READWRITE);
    if (!NT_SUCCESS(Status)) return Status;
    *View = ESCAPE_SECTION_CANARY;
    NtUnmapViewOfSection(NtCurrentProcess(), View);

    /* A permanent link: only its deletion would make it go */
    EscapeInitName(&Attributes, &Name, ESCAPE_HOST_LINK, OBJ_PERMANENT, NULL);
    RtlInitUnicodeString(&Target, ESCAPE_HOST_EVENT);
    Status = NtCreateSymbolicLinkObject(&Host->Link, SYMBOLIC_LINK_ALL_ACCESS, &Attributes, &Target);
    if (!NT_SUCCESS(Status)) return Status;

    EscapeInitName(&Attributes, &Name, ESCAPE_HOST_DIRECTORY, 0, NULL);
    Status = NtCreateDirectoryObject(&Host->Directory, DIRECTORY_ALL_ACCESS, &Attributes);
    if (!NT_SUCCESS(Status)) return Status;
    EscapeInitName(&Attributes, &Name, ESCAPE_HOST_DIR_EVENT, 0, Host->Directory);
    Status = NtCreateEvent(&Host->DirectoryEvent, EVENT_ALL_ACCESS, &Attributes, NotificationEvent, FALSE);
    if (!NT_SUCCESS(Status)) return Status;

    EscapeInitName(&Attributes, &Name, ESCAPE_HOST_PORT, 0, NULL);
    Status = NtCreatePort(&Host->Port, &Attributes, 0, PORT_MAXIMUM_MESSAGE_LENGTH, 0);
    if (!NT_SUCCESS(Status)) return Status;
    Host->Listener = CreateThread(NULL, 0, PortListener, Host, 0, NULL);
    if (!Host->Listener) return STATUS_UNSUCCESSFUL;

    EscapeInitName(&Attributes, &Name, ESCAPE_KEY, 0, NULL);
    Status = NtCreateKey(&Host->Key, KEY_ALL_ACCESS, &Attributes, 0, NULL, REG_OPTION_VOLATILE, &Disposition);
    if (!NT_SUCCESS(Status)) return Status;
    RtlInitUnicodeString(&ValueName, ESCAPE_VALUE);
    Status = NtSetValueKey(Host->Key, &ValueName, 0, REG_DWORD, &Data, sizeof(Data));
    if (!NT_SUCCESS(Status)) return Status;
    EscapeInitName(&Attributes, &Name, ESCAPE_KEY_VICTIM, 0, NULL);
    Status = NtCreateKey(&Victim, KEY_ALL_ACCESS, &Attributes, 0, NULL, REG_OPTION_VOLATILE, &Disposition);
    if (!NT_SUCCESS(Status)) return Status;
    NtClose(Victim);
    Status = NtQuerySecurityObject(Host->Key, DACL_SECURITY_INFORMATION, Host->KeySecurity,
                                   sizeof(Host->KeySecurity), &Host->KeySecurityLength);
    if (!NT_SUCCESS(Status)) return Status;

    if (!SpawnChild(CHILD_MODE_WAIT, NULL, FALSE, 0, &Host->Victim)) return STATUS_UNSUCCESSFUL;
    return STATUS_SUCCESS;
}

/* What the attacker could change on the host, as it is now */
static
VOID
HostSnapshot(
    _Out_ PHOST_TARGETS Host)
{
    RTL_TIME_ZONE_INFORMATION TimeZone;

    NtQuerySystemInformation(SystemFlagsInformation, &Host->GlobalFlag, sizeof(Host->GlobalFlag), NULL);
    NtQuerySystemInformation(SystemCurrentTimeZoneInformation, &TimeZone, sizeof(TimeZone), NULL);
    Host->TimeZoneBias = TimeZone.Bias;
    Host->ModuleCount = ModuleCount();
    NtQueryIntervalProfile(ProfileTime, &Host->ProfileInterval);
    NtQueryDefaultLocale(FALSE, &Host->SystemLocale);
    NtQueryDefaultUILanguage(&Host->UiLanguage);
    Host->DebugFilter = NtQueryDebugFilterState(DPFLTR_DEFAULT_ID, DPFLTR_INFO_LEVEL);
    NtQuerySystemTime(&Host->Time);
    QueryPerformanceCounter(&Host->Counter);
}

static
VOID
HostDestroy(
    _Inout_ PHOST_TARGETS Host)
{
    OBJECT_ATTRIBUTES Attributes;
    UNICODE_STRING Name;
    HANDLE Victim;

    CloseChild(&Host->Victim);
    if (Host->Listener)
    {
        /* A listening thread wakes for a connection only: the last one tells it to stop */
        InterlockedExchange(&Host->ListenerStopping, TRUE);
        EscapeCall(EscapeHostPort, TRUE);
        if (WaitForSingleObject(Host->Listener, SILOTEST_WAIT_MS) != WAIT_OBJECT_0)
        {
            TerminateThread(Host->Listener, ERROR_TIMEOUT);
        }
        CloseHandle(Host->Listener);
    }
    if (Host->Port) NtClose(Host->Port);
    if (Host->Link)
    {
        NtMakeTemporaryObject(Host->Link);
        NtClose(Host->Link);
    }
    if (Host->Key)
    {
        /* A key goes once its subkeys did */
        EscapeInitName(&Attributes, &Name, ESCAPE_KEY_VICTIM, 0, NULL);
        if (NT_SUCCESS(NtOpenKey(&Victim, KEY_ALL_ACCESS, &Attributes)))
        {
            NtDeleteKey(Victim);
            NtClose(Victim);
        }
        NtDeleteKey(Host->Key);
        NtClose(Host->Key);
    }
    if (Host->Event) NtClose(Host->Event);
    if (Host->Mutant) NtClose(Host->Mutant);
    if (Host->Semaphore) NtClose(Host->Semaphore);
    if (Host->Timer) NtClose(Host->Timer);
    if (Host->Section) NtClose(Host->Section);
    if (Host->DirectoryEvent) NtClose(Host->DirectoryEvent);
    if (Host->Directory) NtClose(Host->Directory);
}

static
BOOL
HostNameExists(
    _In_opt_ HANDLE Root,
    _In_ PCWSTR Name)
{
    OBJECT_ATTRIBUTES Attributes;
    UNICODE_STRING NameString;
    HANDLE Handle;
    NTSTATUS Status;

    EscapeInitName(&Attributes, &NameString, Name, 0, Root);
    Status = NtOpenSymbolicLinkObject(&Handle, SYMBOLIC_LINK_QUERY, &Attributes);
    if (Status == STATUS_OBJECT_TYPE_MISMATCH) return TRUE;
    if (NT_SUCCESS(Status)) NtClose(Handle);
    return NT_SUCCESS(Status);
}

static
BOOL
HostKeyExists(
    _In_ PCWSTR Name)
{
    OBJECT_ATTRIBUTES Attributes;
    UNICODE_STRING NameString;
    HANDLE Key;

    EscapeInitName(&Attributes, &NameString, Name, 0, NULL);
    if (!NT_SUCCESS(NtOpenKey(&Key, KEY_READ, &Attributes))) return FALSE;
    NtClose(Key);
    return TRUE;
}

static
ULONG
HostCanaryValue(
    _In_ PHOST_TARGETS Host)
{
    UCHAR Buffer[sizeof(KEY_VALUE_PARTIAL_INFORMATION) + sizeof(ULONG)];
    PKEY_VALUE_PARTIAL_INFORMATION Info = (PKEY_VALUE_PARTIAL_INFORMATION)Buffer;
    UNICODE_STRING ValueName;
    ULONG Length;

    RtlInitUnicodeString(&ValueName, ESCAPE_VALUE);
    if (!NT_SUCCESS(NtQueryValueKey(Host->Key, &ValueName, KeyValuePartialInformation, Buffer, sizeof(Buffer),
                                    &Length)) || Info->DataLength != sizeof(ULONG))
    {
        return MAXULONG;
    }
    return *(PULONG)Info->Data;
}

static
BOOL
HostSectionIntact(
    _In_ PHOST_TARGETS Host)
{
    PULONG View = NULL;
    SIZE_T ViewSize = 0;
    BOOL Intact;

    if (!NT_SUCCESS(NtMapViewOfSection(Host->Section, NtCurrentProcess(), (PVOID*)&View, 0, 0, NULL, &ViewSize,
                                       ViewUnmap, 0, PAGE_READONLY)))
    {
        return FALSE;
    }
    Intact = (*View == ESCAPE_SECTION_CANARY);
    NtUnmapViewOfSection(NtCurrentProcess(), View);
    return Intact;
}

static
BOOL
IsSignaled(
    _In_ HANDLE Object)
{
    return WaitForSingleObject(Object, 0) == WAIT_OBJECT_0;
}

/* Processes whose parent is Pid */
static
ULONG
CountChildrenOf(
    _In_ DWORD Pid)
{
    PSYSTEM_PROCESS_INFORMATION List = QueryProcessList(), Entry;
    ULONG Count = 0;

    if (!List) return MAXULONG;
    for (Entry = List; ; Entry = (PSYSTEM_PROCESS_INFORMATION)((PUCHAR)Entry + Entry->NextEntryOffset))
    {
        if ((DWORD)(ULONG_PTR)Entry->InheritedFromUniqueProcessId == Pid) Count++;
        if (!Entry->NextEntryOffset) break;
    }
    HeapFree(GetProcessHeap(), 0, List);
    return Count;
}

/*
 * The host-side proof: nothing the attacker aimed at changed. One check
 * per target; returns how many changed.
 */
static
ULONG
CheckHostUnchanged(
    _In_ PHOST_TARGETS Host)
{
    HOST_TARGETS Now;
    LARGE_INTEGER Frequency;
    LONGLONG Elapsed, Drift;
    UCHAR Security[KEY_SECURITY_BYTES];
    ULONG SecurityLength = 0, Changes = 0;
    SEMAPHORE_BASIC_INFORMATION Semaphore;
    TIMER_BASIC_INFORMATION Timer;

#define HOST_PROOF(Condition, ...) do { ok((Condition), __VA_ARGS__); if (!(Condition)) Changes++; } while (0)

    HostSnapshot(&Now);
    QueryPerformanceFrequency(&Frequency);
    Elapsed = (Now.Counter.QuadPart - Host->Counter.QuadPart) * 10000000LL / Frequency.QuadPart;
    Drift = (Now.Time.QuadPart - Host->Time.QuadPart) - Elapsed;

    HOST_PROOF(WaitForSingleObject(Host->Victim.hProcess, 0) == WAIT_TIMEOUT, "the host victim process died\n");
    HOST_PROOF(CountChildrenOf(Host->Victim.dwProcessId) == 0, "the host victim got a child\n");
    HOST_PROOF(Drift < ESCAPE_TIME_SLACK && Drift > -ESCAPE_TIME_SLACK,
               "the host clock moved by %I64d s\n", Drift / 10000000LL);
    HOST_PROOF(Now.TimeZoneBias == Host->TimeZoneBias, "time zone bias %ld -> %ld\n", Host->TimeZoneBias, Now.TimeZoneBias);
    HOST_PROOF(Now.GlobalFlag == Host->GlobalFlag, "global flag 0x%lx -> 0x%lx\n", Host->GlobalFlag, Now.GlobalFlag);
    HOST_PROOF(Now.ModuleCount == Host->ModuleCount, "drivers %lu -> %lu\n", Host->ModuleCount, Now.ModuleCount);
    HOST_PROOF(Now.ProfileInterval == Host->ProfileInterval, "profile interval %lu -> %lu\n",
               Host->ProfileInterval, Now.ProfileInterval);
    HOST_PROOF(Now.SystemLocale == Host->SystemLocale, "system locale 0x%lx -> 0x%lx\n",
               Host->SystemLocale, Now.SystemLocale);
    HOST_PROOF(Now.UiLanguage == Host->UiLanguage, "UI language 0x%x -> 0x%x\n", Host->UiLanguage, Now.UiLanguage);
    HOST_PROOF(Now.DebugFilter == Host->DebugFilter, "debug filter 0x%lx -> 0x%lx\n", Host->DebugFilter, Now.DebugFilter);

    HOST_PROOF(HostCanaryValue(Host) == ESCAPE_VALUE_DATA, "the host's registry value changed: %lu\n",
               HostCanaryValue(Host));
    HOST_PROOF(HostKeyExists(ESCAPE_KEY_VICTIM), "the host's registry key was deleted\n");
    HOST_PROOF(!HostKeyExists(ESCAPE_KEY_NEW), "the silo created a key in the host's hive\n");
    HOST_PROOF(NT_SUCCESS(NtQuerySecurityObject(Host->Key, DACL_SECURITY_INFORMATION, Security, sizeof(Security),
                                                &SecurityLength)) &&
               SecurityLength == Host->KeySecurityLength &&
               !memcmp(Security, Host->KeySecurity, SecurityLength),
               "the host key's security changed\n");

    HOST_PROOF(!IsSignaled(Host->Event), "the host's event was signaled\n");
    HOST_PROOF(!IsSignaled(Host->DirectoryEvent), "the host's directory event was signaled\n");
    HOST_PROOF(!HostNameExists(Host->Directory, ESCAPE_SILO_NEW_NAME), "the silo added a name to a host directory\n");
    HOST_PROOF(HostNameExists(NULL, ESCAPE_HOST_LINK), "the host's permanent link is gone\n");
    HOST_PROOF(HostSectionIntact(Host), "the host's section was written\n");
    HOST_PROOF(NT_SUCCESS(NtQuerySemaphore(Host->Semaphore, SemaphoreBasicInformation, &Semaphore,
                                           sizeof(Semaphore), NULL)) && Semaphore.CurrentCount == 0,
               "the host's semaphore was released\n");
    HOST_PROOF(NT_SUCCESS(NtQueryTimer(Host->Timer, TimerBasicInformation, &Timer, sizeof(Timer), NULL)) &&
               !Timer.SignalState, "the host's timer was set\n");
    HOST_PROOF(Host->PortConnections == 0, "the host's port took %ld connections from the silo\n",
               Host->PortConnections);
#undef HOST_PROOF
    return Changes;
}

static
NTSTATUS
HostOpenByCid(
    _In_ BOOLEAN Thread,
    _In_opt_ HANDLE Pid,
    _In_opt_ HANDLE Tid)
{
    OBJECT_ATTRIBUTES Attributes;
    CLIENT_ID Cid;
    HANDLE Handle;
    NTSTATUS Status;

    InitializeObjectAttributes(&Attributes, NULL, 0, NULL, NULL);
    Cid.UniqueProcess = Pid;
    Cid.UniqueThread = Tid;
    Status = Thread ? NtOpenThread(&Handle, THREAD_QUERY_INFORMATION, &Attributes, &Cid)
                    : NtOpenProcess(&Handle, PROCESS_QUERY_INFORMATION, &Attributes, &Cid);
    if (NT_SUCCESS(Status)) NtClose(Handle);
    return Status;
}

/* Whether the host's process list shows a process of the silo and the victim */
static
NTSTATUS
HostListsProcesses(
    _In_ HANDLE SiloPid,
    _In_ DWORD VictimPid)
{
    PSYSTEM_PROCESS_INFORMATION List = QueryProcessList(), Entry;
    ULONG Seen = 0;

    if (!List) return STATUS_NO_MEMORY;
    for (Entry = List; ; Entry = (PSYSTEM_PROCESS_INFORMATION)((PUCHAR)Entry + Entry->NextEntryOffset))
    {
        if (Entry->UniqueProcessId == SiloPid) Seen |= 1;
        if ((DWORD)(ULONG_PTR)Entry->UniqueProcessId == VictimPid) Seen |= 2;
        if (!Entry->NextEntryOffset) break;
    }
    HeapFree(GetProcessHeap(), 0, List);
    return (Seen == 3) ? STATUS_SUCCESS : STATUS_NOT_FOUND;
}

/* Whether the host's handle list (class 16 or 64) has handles of the victim */
static
NTSTATUS
HostListsHandles(
    _In_ BOOLEAN Extended,
    _In_ DWORD VictimPid)
{
    ULONG Size = 512 * 1024, i, Count;
    PVOID List = HeapAlloc(GetProcessHeap(), 0, Size);
    NTSTATUS Status;
    BOOL Seen = FALSE;

    if (!List) return STATUS_NO_MEMORY;
    Status = NtQuerySystemInformation(Extended ? SystemExtendedHandleInformation : SystemHandleInformation,
                                      List, Size, NULL);
    if (NT_SUCCESS(Status))
    {
        Count = Extended ? ((PSYSTEM_HANDLE_INFORMATION_EX)List)->NumberOfHandles
                         : ((PSYSTEM_HANDLE_INFORMATION)List)->NumberOfHandles;
        for (i = 0; i < Count && !Seen; i++)
        {
            ULONG_PTR Pid = Extended ? ((PSYSTEM_HANDLE_INFORMATION_EX)List)->Handles[i].UniqueProcessId
                                     : ((PSYSTEM_HANDLE_INFORMATION)List)->Handles[i].UniqueProcessId;
            Seen = (Pid == VictimPid);
        }
        if (!Seen) Status = STATUS_NOT_FOUND;
    }
    HeapFree(GetProcessHeap(), 0, List);
    return Status;
}

/*
 * The control: the attack's call made by the host. The process attacks need
 * the host's own handles; the rest are the attacker's own calls
 * (escapecalls.c), in the form that changes nothing for good.
 */
static
NTSTATUS
HostControl(
    _In_ PHOST_TARGETS Host,
    _In_ ESCAPE_ATTACK Attack,
    _In_ PESCAPE_INPUT Input,
    _In_ HANDLE SiloPid)
{
    HANDLE Handle, Other;
    NTSTATUS Status;

    switch (Attack)
    {
        case EscapeOpenHostProcess:
            return HostOpenByCid(FALSE, Input->HostPid, NULL);
        case EscapeOpenHostProcessByCid:
            return HostOpenByCid(FALSE, Input->HostPid, Input->HostTid);
        case EscapeOpenHostThread:
            return HostOpenByCid(TRUE, NULL, Input->HostTid);
        case EscapeOpenHostThreadByCid:
            return HostOpenByCid(TRUE, Input->HostPid, Input->HostTid);
        case EscapeOpenHostCsrss:
            return HostOpenByCid(FALSE, Input->HostCsrssPid, NULL);
        case EscapeListProcesses:
            return HostListsProcesses(SiloPid, Host->Victim.dwProcessId);
        case EscapeListHandles:
            return HostListsHandles(FALSE, Host->Victim.dwProcessId);
        case EscapeListHandlesEx:
            return HostListsHandles(TRUE, Host->Victim.dwProcessId);
        case EscapeParentSpoof:
            Status = NtDuplicateObject(NtCurrentProcess(), Host->Victim.hProcess, NtCurrentProcess(), &Other,
                                       PROCESS_CREATE_PROCESS, 0, 0);
            if (!NT_SUCCESS(Status)) return Status;
            Status = EscapeCreateProcessUnder(Other);
            NtClose(Other);
            return Status;
        case EscapeRaiseProcessHandle:
            Status = NtDuplicateObject(NtCurrentProcess(), Host->Victim.hProcess, NtCurrentProcess(), &Other,
                                       PROCESS_QUERY_INFORMATION, 0, 0);
            if (!NT_SUCCESS(Status)) return Status;
            Status = NtDuplicateObject(NtCurrentProcess(), Other, NtCurrentProcess(), &Handle,
                                       PROCESS_ALL_ACCESS, 0, 0);
            if (NT_SUCCESS(Status)) NtClose(Handle);
            NtClose(Other);
            return Status;
        case EscapeCloneProcess:
            /* No control: the host would get the same refusal */
            return STATUS_NOT_IMPLEMENTED;
        default:
            return EscapeCall(Attack, TRUE);
    }
}

static
BOOL
IsBlocked(
    _In_ const ESCAPE_CASE *Case,
    _In_ NTSTATUS Status,
    _In_ ULONG_PTR Extra)
{
    switch (Case->Block)
    {
        case EscapeBlockedAs:
            return Status == Case->Expected;
        case EscapeBlockedAsMissing:
            return !NT_SUCCESS(Status) && Status == (NTSTATUS)Extra;
        case EscapeBlockedIfNotExisting:
            return Status != STATUS_OBJECT_NAME_EXISTS;
        case EscapeBlockedIfFailed:
            /* A listing "fails" to reach the host when it shows the attacker and nothing of the host */
            if ((Case->Attack == EscapeListProcesses) || (Case->Attack == EscapeListHandles) ||
                (Case->Attack == EscapeListHandlesEx))
            {
                return NT_SUCCESS(Status) && (Extra == ESCAPE_LIST_SAW_ITSELF);
            }
            return !NT_SUCCESS(Status);
    }
    return FALSE;
}

static
BOOL
ControlShowsReach(
    _In_ const ESCAPE_CASE *Case,
    _In_ NTSTATUS SiloStatus,
    _In_ NTSTATUS HostStatus)
{
    switch (Case->Control)
    {
        case EscapeControlSucceeds:
            return NT_SUCCESS(HostStatus);
        case EscapeControlDiffers:
            return HostStatus != SiloStatus;
        case EscapeControlNone:
            return TRUE;
    }
    return FALSE;
}

/* The first csrss.exe in no job: the host's */
static
HANDLE
HostCsrssPid(VOID)
{
    return (HANDLE)(ULONG_PTR)EarliestProcessIn(NULL, L"csrss.exe", NULL);
}

/* Makes the exchange section and the "go" event in the silo's \BaseNamedObjects */
static
NTSTATUS
CreateExchange(
    _In_ ULONG SiloId,
    _Out_ PHANDLE Section,
    _Out_ PHANDLE Go,
    _Out_ PESCAPE_EXCHANGE *Exchange)
{
    WCHAR Path[MAX_PATH];
    OBJECT_ATTRIBUTES Attributes;
    UNICODE_STRING Name;
    LARGE_INTEGER Size;
    SIZE_T ViewSize = 0;
    NTSTATUS Status;

    *Exchange = NULL;
    _snwprintf(Path, ARRAYSIZE(Path), L"\\Silos\\%lu\\BaseNamedObjects\\%s", SiloId, ESCAPE_SECTION_NAME);
    Path[ARRAYSIZE(Path) - 1] = UNICODE_NULL;
    EscapeInitName(&Attributes, &Name, Path, 0, NULL);
    Size.QuadPart = ESCAPE_SECTION_BYTES;
    Status = NtCreateSection(Section, SECTION_ALL_ACCESS, &Attributes, &Size, PAGE_READWRITE, SEC_COMMIT, NULL);
    if (!NT_SUCCESS(Status)) return Status;
    Status = NtMapViewOfSection(*Section, NtCurrentProcess(), (PVOID*)Exchange, 0, 0, NULL, &ViewSize,
                                ViewUnmap, 0, PAGE_READWRITE);
    if (!NT_SUCCESS(Status)) return Status;

    _snwprintf(Path, ARRAYSIZE(Path), L"\\Silos\\%lu\\BaseNamedObjects\\%s", SiloId, ESCAPE_GO_EVENT_NAME);
    Path[ARRAYSIZE(Path) - 1] = UNICODE_NULL;
    EscapeInitName(&Attributes, &Name, Path, 0, NULL);
    return NtCreateEvent(Go, EVENT_ALL_ACCESS, &Attributes, NotificationEvent, FALSE);
}

static
NTSTATUS
GiveHandle(
    _In_ HANDLE Attacker,
    _In_ HANDLE Source,
    _In_ ACCESS_MASK Access,
    _Out_ PHANDLE InAttacker)
{
    return NtDuplicateObject(NtCurrentProcess(), Source, Attacker, InAttacker, Access, 0, 0);
}

/* One SMSS-started silo of the battery, its attacker and what they exchange */
typedef struct _ESCAPE_SILO
{
    SMSS_SILO World;
    HANDLE Section;
    HANDLE Go;
    HANDLE Attacker;
    PESCAPE_EXCHANGE Exchange;
    BOOL Ran;
} ESCAPE_SILO, *PESCAPE_SILO;

/* Starts a silo and its attacker, which waits for "go" with the host's targets in its input */
static
BOOL
PrepareAttacker(
    _In_ PHOST_TARGETS Host,
    _In_ HANDLE SmPort,
    _Out_ PESCAPE_SILO Silo)
{
    PESCAPE_INPUT Input;
    NTSTATUS Status;

    ZeroMemory(Silo, sizeof(*Silo));
    Status = StartSmssSilo(SmPort, &Silo->World);
    ok(Status == STATUS_SUCCESS, "SmStartServerSilo: 0x%08lx\n", Status);
    if (!NT_SUCCESS(Status)) return FALSE;

    Status = CreateExchange(Silo->World.SiloId, &Silo->Section, &Silo->Go, &Silo->Exchange);
    ok(Status == STATUS_SUCCESS, "exchange in silo %lu: 0x%08lx\n", Silo->World.SiloId, Status);
    if (!NT_SUCCESS(Status)) return FALSE;

    Status = StartWin32InSilo(&Silo->World, CHILD_MODE_ESCAPE, NULL, &Silo->Attacker);
    ok(Status == STATUS_SUCCESS, "starting the attacker in silo %lu: 0x%08lx\n", Silo->World.SiloId, Status);
    if (!NT_SUCCESS(Status)) return FALSE;

    Input = &Silo->Exchange->Input;
    Input->HostPid = (HANDLE)(ULONG_PTR)Host->Victim.dwProcessId;
    Input->HostTid = (HANDLE)(ULONG_PTR)Host->Victim.dwThreadId;
    Input->HostCsrssPid = HostCsrssPid();
    Input->HostSilotestPid = (HANDLE)(ULONG_PTR)GetCurrentProcessId();
    Status = GiveHandle(Silo->Attacker, Host->Victim.hProcess, PROCESS_CREATE_PROCESS, &Input->HostProcessCreate);
    if (NT_SUCCESS(Status))
    {
        Status = GiveHandle(Silo->Attacker, Host->Victim.hProcess, PROCESS_QUERY_INFORMATION, &Input->HostProcessQuery);
    }
    ok(Status == STATUS_SUCCESS, "handing the attacker its host handles: 0x%08lx\n", Status);
    return NT_SUCCESS(Status);
}

/* Waits for the attacker; TRUE when it ran every attack */
static
BOOL
FinishAttacker(
    _Inout_ PESCAPE_SILO Silo)
{
    DWORD ExitCode = STILL_ACTIVE;

    if (Silo->Attacker == NULL) return FALSE;
    WaitForSingleObject(Silo->Attacker, ESCAPE_CHILD_TIMEOUT_MS);
    GetExitCodeProcess(Silo->Attacker, &ExitCode);
    if (ExitCode == STILL_ACTIVE) TerminateProcess(Silo->Attacker, STATUS_TIMEOUT);
    CloseHandle(Silo->Attacker);
    Silo->Attacker = NULL;

    ok(ExitCode == ERROR_SUCCESS, "the attacker in silo %lu ended with 0x%08lx\n", Silo->World.SiloId, ExitCode);
    ok(Silo->Exchange->Result.Ran == EscapeAttackCount, "the attacker in silo %lu ran %lu of %u attacks\n",
       Silo->World.SiloId, Silo->Exchange->Result.Ran, EscapeAttackCount);
    ok(Silo->Exchange->Result.PrivilegesEnabled > 0, "the attacker in silo %lu enabled no privilege\n",
       Silo->World.SiloId);
    Silo->Ran = (ExitCode == ERROR_SUCCESS) && (Silo->Exchange->Result.Ran == EscapeAttackCount);
    return Silo->Ran;
}

static
VOID
EndAttackerSilo(
    _Inout_ PESCAPE_SILO Silo)
{
    if (Silo->Attacker != NULL)
    {
        TerminateProcess(Silo->Attacker, STATUS_CANCELLED);
        CloseHandle(Silo->Attacker);
    }
    if (Silo->Go != NULL) NtClose(Silo->Go);
    if (Silo->Exchange != NULL) NtUnmapViewOfSection(NtCurrentProcess(), Silo->Exchange);
    if (Silo->Section != NULL) NtClose(Silo->Section);
    EndSmssSilo(&Silo->World, STATUS_SUCCESS);
}

/*
 * Starts "silonative <Argument>" in Silo: created by the host without CSRSS
 * (a native program has no exception port), put in the silo, then resumed.
 */
static
NTSTATUS
StartNativeInSilo(
    _In_ HANDLE Silo,
    _In_ PCWSTR Argument,
    _Out_ PRTL_USER_PROCESS_INFORMATION Info)
{
    WCHAR Image[MAX_PATH], CommandLine[MAX_PATH + 16];
    UNICODE_STRING ImageNt, ImageDos, CommandLineString;
    PRTL_USER_PROCESS_PARAMETERS Parameters;
    NTSTATUS Status;

    ZeroMemory(Info, sizeof(*Info));
    GetSystemDirectoryW(Image, ARRAYSIZE(Image));
    wcscat(Image, L"\\..\\bin\\" SILONATIVE_IMAGE);
    _snwprintf(CommandLine, ARRAYSIZE(CommandLine), L"%s %s", SILONATIVE_IMAGE, Argument);
    CommandLine[ARRAYSIZE(CommandLine) - 1] = UNICODE_NULL;
    RtlInitUnicodeString(&ImageDos, Image);
    RtlInitUnicodeString(&CommandLineString, CommandLine);
    if (!RtlDosPathNameToNtPathName_U(Image, &ImageNt, NULL, NULL)) return STATUS_OBJECT_PATH_SYNTAX_BAD;

    Status = RtlCreateProcessParameters(&Parameters, &ImageDos, NULL, NULL, &CommandLineString,
                                        NULL, NULL, NULL, NULL, NULL);
    if (NT_SUCCESS(Status))
    {
        Info->Size = sizeof(*Info);
        Status = RtlCreateUserProcess(&ImageNt, OBJ_CASE_INSENSITIVE, Parameters, NULL, NULL, NULL,
                                      FALSE, NULL, NULL, Info);
        RtlDestroyProcessParameters(Parameters);
    }
    RtlFreeHeap(RtlGetProcessHeap(), 0, ImageNt.Buffer);
    if (!NT_SUCCESS(Status)) return Status;

    Status = NtAssignProcessToJobObject(Silo, Info->ProcessHandle);
    if (NT_SUCCESS(Status))
    {
        NtResumeThread(Info->ThreadHandle, NULL);
    }
    else
    {
        NtTerminateProcess(Info->ProcessHandle, Status);
        NtClose(Info->ThreadHandle);
        NtClose(Info->ProcessHandle);
    }
    return Status;
}

/*
 * A silo process that made itself its silo's hard error port raises an
 * error-class hard error: the silo ends with that status; the host, which
 * used to bugcheck here, goes on.
 */
static
BOOL
CheckHardErrorPortOwner(VOID)
{
    RTL_USER_PROCESS_INFORMATION Info;
    SERVERSILO_BASIC_INFORMATION Basic;
    HANDLE Silo;
    BOOL Ended;
    NTSTATUS Status;

    Status = MakeServerSilo(&Silo, NULL, NULL);
    ok(Status == STATUS_SUCCESS, "hard-error silo: 0x%08lx\n", Status);
    if (!NT_SUCCESS(Status)) return FALSE;

    Status = StartNativeInSilo(Silo, SILONATIVE_HARD_ERROR_ARG, &Info);
    ok(Status == STATUS_SUCCESS, "starting %S %S: 0x%08lx\n", SILONATIVE_IMAGE, SILONATIVE_HARD_ERROR_ARG, Status);
    if (!NT_SUCCESS(Status))
    {
        NtClose(Silo);
        return FALSE;
    }

    ZeroMemory(&Basic, sizeof(Basic));
    Ended = WaitServerSiloState(Silo, SERVERSILO_TERMINATED, &Basic);
    ok(Ended, "the hard-error silo did not end (state %u)\n", Basic.State);
    ok(Basic.ExitStatus == ESCAPE_HARD_ERROR, "the hard-error silo ended with 0x%08lx\n", Basic.ExitStatus);
    trace("escape attack hard-error-port-owner: silo ended with 0x%08lx, host goes on\n", Basic.ExitStatus);

    NtClose(Info.ThreadHandle);
    NtClose(Info.ProcessHandle);
    NtClose(Silo);
    return Ended && (Basic.ExitStatus == ESCAPE_HARD_ERROR);
}

/*
 * In a silo without a \Windows of its own (started without SMSS), the name
 * \Windows\SbApiPort falls through to the host CSRSS's SB port: the silo
 * must not connect. The host's own connection is the control. Adds the
 * control to *Controls; TRUE when the silo was refused.
 */
static
BOOL
CheckWin32SbPortNotLent(
    _Inout_ PULONG Controls)
{
    RTL_USER_PROCESS_INFORMATION Info;
    DWORD ExitCode = STILL_ACTIVE;
    NTSTATUS Status, HostStatus;
    HANDLE Silo;

    Status = MakeServerSilo(&Silo, NULL, NULL);
    ok(Status == STATUS_SUCCESS, "SB-port silo: 0x%08lx\n", Status);
    if (!NT_SUCCESS(Status)) return FALSE;

    Status = StartNativeInSilo(Silo, SILONATIVE_SB_PORT_ARG, &Info);
    ok(Status == STATUS_SUCCESS, "starting %S %S: 0x%08lx\n", SILONATIVE_IMAGE, SILONATIVE_SB_PORT_ARG, Status);
    if (NT_SUCCESS(Status))
    {
        if (WaitForSingleObject(Info.ProcessHandle, SILOTEST_WAIT_MS) != WAIT_OBJECT_0)
        {
            NtTerminateProcess(Info.ProcessHandle, STATUS_TIMEOUT);
        }
        GetExitCodeProcess(Info.ProcessHandle, &ExitCode);
        NtClose(Info.ThreadHandle);
        NtClose(Info.ProcessHandle);
    }
    NtTerminateJobObject(Silo, STATUS_SUCCESS);
    NtClose(Silo);

    HostStatus = EscapeConnectPort(ESCAPE_HOST_SB_PORT);
    ok(NT_SUCCESS(HostStatus), "host-csrss-sb-port: the host's own connection failed: 0x%08lx\n", HostStatus);
    if (NT_SUCCESS(HostStatus)) (*Controls)++;
    ok(ExitCode == (DWORD)STATUS_ACCESS_DENIED, "host-csrss-sb-port reached the host: 0x%08lx\n", ExitCode);
    trace("escape attack host-csrss-sb-port: silo 0x%08lx, host 0x%08lx, %s\n", ExitCode, HostStatus,
          (ExitCode == (DWORD)STATUS_ACCESS_DENIED) ? "blocked" : "REACHED");
    return ExitCode == (DWORD)STATUS_ACCESS_DENIED;
}

/*
 * The battery runs in ESCAPE_SILOS silos at once, as a container host runs
 * its containers: the attackers start together on "go". An attack counts
 * as blocked when it is blocked in every silo.
 */
START_TEST(escape)
{
    HOST_TARGETS Host;
    ESCAPE_SILO Silos[ESCAPE_SILOS];
    HANDLE SmPort, SiloCsrssPid;
    ULONG Attack, Index, Blocked = 0, Controls = 0, Changes;
    /* The battery's attacks, the hard-error port owner and the host CSRSS's SB port */
    ULONG Attacks = EscapeAttackCount + 2;
    BOOL AllRan = TRUE;
    NTSTATUS Status, HostStatus;

    C_ASSERT(RTL_NUMBER_OF(EscapeCases) == EscapeAttackCount);
    for (Attack = 0; Attack < EscapeAttackCount; Attack++)
    {
        ok(EscapeCases[Attack].Attack == (ESCAPE_ATTACK)Attack, "escape case %lu is out of order\n", Attack);
    }

    if (!ConnectToHostSm(&SmPort)) return;
    EscapeEnableAllPrivileges();

    ZeroMemory(&Host, sizeof(Host));
    ZeroMemory(Silos, sizeof(Silos));
    Status = HostCreate(&Host);
    ok(Status == STATUS_SUCCESS, "host targets: 0x%08lx\n", Status);
    if (!NT_SUCCESS(Status))
    {
        HostDestroy(&Host);
        NtClose(SmPort);
        return;
    }
    HostSnapshot(&Host);

    for (Index = 0; Index < ESCAPE_SILOS; Index++) AllRan &= PrepareAttacker(&Host, SmPort, &Silos[Index]);
    if (AllRan)
    {
        for (Index = 0; Index < ESCAPE_SILOS; Index++) NtSetEvent(Silos[Index].Go, NULL);
        for (Index = 0; Index < ESCAPE_SILOS; Index++) AllRan &= FinishAttacker(&Silos[Index]);
    }

    if (AllRan)
    {
        /* The proof first: the controls below change what they touch and put it back */
        Changes = CheckHostUnchanged(&Host);

        /* The attackers have ended; the first silo's CSRSS runs on for the host's list to show */
        SiloCsrssPid = (HANDLE)(ULONG_PTR)EarliestProcessIn(Silos[0].World.Silo, L"csrss.exe", NULL);

        for (Attack = 0; Attack < EscapeAttackCount; Attack++)
        {
            const ESCAPE_CASE *Case = &EscapeCases[Attack];
            PESCAPE_RESULT First = &Silos[0].Exchange->Result;
            BOOL BlockedEverywhere = TRUE, ControlOk;

            for (Index = 0; Index < ESCAPE_SILOS; Index++)
            {
                PESCAPE_RESULT Result = &Silos[Index].Exchange->Result;
                BOOL IsBlockedHere = IsBlocked(Case, Result->Status[Attack], Result->Extra[Attack]);

                ok(IsBlockedHere, "%s reached the host from silo %lu: 0x%08lx (extra 0x%Ix)\n",
                   Case->Name, Silos[Index].World.SiloId, Result->Status[Attack], Result->Extra[Attack]);
                BlockedEverywhere &= IsBlockedHere;
            }

            HostStatus = HostControl(&Host, (ESCAPE_ATTACK)Attack, &Silos[0].Exchange->Input, SiloCsrssPid);
            ControlOk = ControlShowsReach(Case, First->Status[Attack], HostStatus);
            if (BlockedEverywhere) Blocked++;
            if (ControlOk && (Case->Control != EscapeControlNone)) Controls++;

            ok(ControlOk, "%s: the host's own call shows no reach (host 0x%08lx, silo 0x%08lx)\n",
               Case->Name, HostStatus, First->Status[Attack]);
            trace("escape attack %s: silo 0x%08lx, host 0x%08lx, %s\n", Case->Name, First->Status[Attack],
                  HostStatus, BlockedEverywhere ? "blocked" : "REACHED");
        }

        /* What the attackers left in their own silos goes with the silos */
        for (Index = 0; Index < ESCAPE_SILOS; Index++) EndAttackerSilo(&Silos[Index]);
        if (CheckHardErrorPortOwner()) Blocked++;
        if (CheckWin32SbPortNotLent(&Controls)) Blocked++;

        trace("escape: attacks=%lu blocked=%lu host_changes=%lu controls=%lu silos=%u\n", Attacks, Blocked,
              Changes, Controls, ESCAPE_SILOS);
        ok(Blocked == Attacks && Changes == 0, "escape: %lu of %lu attacks blocked, %lu host changes\n",
           Blocked, Attacks, Changes);
    }
    else
    {
        for (Index = 0; Index < ESCAPE_SILOS; Index++) EndAttackerSilo(&Silos[Index]);
    }

    HostDestroy(&Host);
    NtClose(SmPort);
}
