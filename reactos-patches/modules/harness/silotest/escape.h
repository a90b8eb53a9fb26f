/*
 * PROJECT:     ReactOS server-silo test harness
 * LICENSE:     GPL-2.0-or-later (https://spdx.org/licenses/GPL-2.0-or-later)
 * PURPOSE:     The escape battery's protocol between the host and the
 *              attacker it runs inside a server silo
 * COPYRIGHT:   Copyright 2026 ReactOS server-silo project contributors
 */

#ifndef _SILOTEST_ESCAPE_H_
#define _SILOTEST_ESCAPE_H_

/*
 * The host makes the exchange section and the "go" event in the silo's own
 * \BaseNamedObjects before it starts the attacker there (a silo's names are
 * the host's to make), fills in ESCAPE_INPUT, duplicates the handles the
 * attacker is to misuse into it, and sets "go". The attacker fills in
 * ESCAPE_RESULT and exits; the host reads it through its own handle.
 */
#define ESCAPE_SECTION_NAME         L"SiloEscapeExchange"
#define ESCAPE_GO_EVENT_NAME        L"SiloEscapeGo"
#define ESCAPE_GO_TIMEOUT_MS        30000

/* Host objects the host puts at its root, which the silo's root lends */
#define ESCAPE_HOST_EVENT           L"\\SiloEscapeEvent"
#define ESCAPE_HOST_MUTANT          L"\\SiloEscapeMutant"
#define ESCAPE_HOST_SEMAPHORE       L"\\SiloEscapeSemaphore"
#define ESCAPE_HOST_TIMER           L"\\SiloEscapeTimer"
#define ESCAPE_HOST_SECTION         L"\\SiloEscapeSection"
#define ESCAPE_HOST_LINK            L"\\SiloEscapeLink"
#define ESCAPE_HOST_DIRECTORY       L"\\SiloEscapeDirectory"
#define ESCAPE_HOST_DIR_EVENT       L"Event"            /* in ESCAPE_HOST_DIRECTORY */
#define ESCAPE_SILO_NEW_NAME        L"SiloMade"         /* what the silo tries to add there */
#define ESCAPE_HOST_PORT            L"\\SiloEscapePort"
#define ESCAPE_LSA_PORT             L"\\LsaAuthenticationPort"
#define ESCAPE_PHYSICAL_MEMORY      L"\\Device\\PhysicalMemory"
#define ESCAPE_SILO_LINK            L"\\BaseNamedObjects\\SiloEscapeLinkToHost"
#define ESCAPE_SECTION_BYTES        4096
#define ESCAPE_SECTION_CANARY       0x5170CA4Eu

/* Host registry objects */
#define ESCAPE_KEY                  L"\\Registry\\Machine\\SOFTWARE\\SiloEscape"
#define ESCAPE_KEY_VICTIM           L"\\Registry\\Machine\\SOFTWARE\\SiloEscape\\Victim"
#define ESCAPE_KEY_NEW              L"\\Registry\\Machine\\SOFTWARE\\SiloEscape\\SiloMade"
#define ESCAPE_KEY_HOST_NEW         L"\\Registry\\Machine\\SOFTWARE\\SiloEscape\\HostMade"
#define ESCAPE_KEY_HIVE             L"\\Registry\\Machine\\SiloEscapeHive"
#define ESCAPE_BOGUS_FILE           ((HANDLE)(ULONG_PTR)0x7FFC)  /* NtSaveKey's file: no handle */
#define ESCAPE_KEY_HIVE_FILE        L"\\Device\\SiloEscapeNoSuchDevice\\hive"
#define ESCAPE_VALUE                L"Canary"
#define ESCAPE_VALUE_DATA           1u

/* Kernel-global targets: names that exist, or that surely do not */
#define ESCAPE_LOADED_SERVICE       L"\\Registry\\Machine\\System\\CurrentControlSet\\Services\\Null"
#define ESCAPE_MISSING_SERVICE      L"\\Registry\\Machine\\System\\CurrentControlSet\\Services\\SiloEscapeNoSuchDriver"
#define ESCAPE_PAGING_FILE          L"\\??\\C:\\SiloEscapeNoSuchDirectory\\pagefile.sys"
#define ESCAPE_FIRMWARE_VARIABLE    L"SiloEscapeVariable"
#define ESCAPE_OTHER_LCID           0x0407
#define ESCAPE_TIME_SHIFT           (24LL * 60 * 60 * 10000000)  /* one day, in 100 ns */
#define ESCAPE_BIAS_SHIFT           60                           /* minutes */
#define ESCAPE_PAGING_FILE_BYTES    (1024 * 1024)
#define ESCAPE_TIME_SLACK           (10LL * 60 * 10000000)       /* ten minutes */
#define ESCAPE_NO_SUCH_ID           ((HANDLE)(ULONG_PTR)0x7FFFFFF0)

/* How each attack's block is told from its failure */
typedef enum _ESCAPE_BLOCK
{
    EscapeBlockedAs,          /* the status is Expected */
    EscapeBlockedAsMissing,   /* the status is what the attacker got for a name or id that does not exist */
    EscapeBlockedIfFailed,    /* any failure; the host proof decides */
    EscapeBlockedIfNotExisting /* anything but STATUS_OBJECT_NAME_EXISTS (OBJ_OPENIF made a silo object) */
} ESCAPE_BLOCK;

/* What the host's own call (the control) must show */
typedef enum _ESCAPE_CONTROL
{
    EscapeControlSucceeds,    /* the host's call succeeds */
    EscapeControlDiffers,     /* the host's call ends with a status other than the silo's */
    EscapeControlNone         /* no user-mode caller can do it (the reason is in the table) */
} ESCAPE_CONTROL;

typedef enum _ESCAPE_ATTACK
{
    /* Processes and threads */
    EscapeOpenHostProcess,
    EscapeOpenHostProcessByCid,
    EscapeOpenHostThread,
    EscapeOpenHostThreadByCid,
    EscapeOpenHostCsrss,
    EscapeListProcesses,
    EscapeListHandles,
    EscapeListHandlesEx,
    EscapeParentSpoof,
    EscapeRaiseProcessHandle,
    EscapeCloneProcess,
    /* Machine-wide operations */
    EscapeLoadDriver,
    EscapeUnloadDriver,
    EscapeSetTime,
    EscapeSetTimeZone,
    EscapeSetGlobalFlag,
    EscapeDebugControl,
    EscapeDebugFilter,
    EscapePagingFile,
    EscapeFirmwareQuery,
    EscapeFirmwareSet,
    EscapeBootEntries,
    EscapeBootOptions,
    EscapeSystemLocale,
    EscapeUiLanguage,
    EscapeUuidSeed,
    EscapePlugPlay,
    EscapeDisplayString,
    EscapeProfileInterval,
    EscapeInitializeRegistry,
    /* The host's registry */
    EscapeRegCreateKey,
    EscapeRegSetValue,
    EscapeRegDeleteValue,
    EscapeRegDeleteKey,
    EscapeRegSetSecurity,
    EscapeRegLoadKey,
    EscapeRegRenameKey,
    EscapeRegSetInformation,
    EscapeRegSaveKey,
    /* Lent host objects */
    EscapeOpenAllAccess,
    EscapeOpenDelete,
    EscapeOpenWriteDac,
    EscapeOpenWriteOwner,
    EscapeOpenMaximumAllowed,
    EscapeRaiseEventHandle,
    EscapeOpenIfThroughShadow,
    EscapeOpenIfThroughHandle,
    EscapeCreateInHostDirectory,
    EscapeMakeTemporary,
    EscapeMakePermanent,
    EscapeLinkToHostObject,
    EscapeSectionWriteAccess,
    EscapeSectionMapWritable,
    EscapeSemaphoreModify,
    EscapeMutantAllAccess,
    EscapeTimerModify,
    EscapeDirectoryCreateAccess,
    EscapePhysicalMemory,
    EscapeHostPort,
    EscapeLsaPort,
    EscapeAttackCount
} ESCAPE_ATTACK;

typedef struct _ESCAPE_INPUT
{
    HANDLE HostPid;                 /* a host process the attacker must not see */
    HANDLE HostTid;                 /* its thread */
    HANDLE HostCsrssPid;            /* the host's CSRSS */
    HANDLE HostSilotestPid;         /* the host side of this test */
    HANDLE HostProcessCreate;       /* in the attacker: PROCESS_CREATE_PROCESS on HostPid */
    HANDLE HostProcessQuery;        /* in the attacker: PROCESS_QUERY_INFORMATION on HostPid */
} ESCAPE_INPUT, *PESCAPE_INPUT;

typedef struct _ESCAPE_RESULT
{
    ULONG Ran;                      /* attacks the attacker ran (EscapeAttackCount when all did) */
    NTSTATUS Status[EscapeAttackCount];
    ULONG_PTR Extra[EscapeAttackCount]; /* per attack: the "missing" status, or what a listing showed */
    HANDLE OwnPid;
    ULONG PrivilegesEnabled;
} ESCAPE_RESULT, *PESCAPE_RESULT;

typedef struct _ESCAPE_EXCHANGE
{
    ESCAPE_INPUT Input;
    ESCAPE_RESULT Result;
} ESCAPE_EXCHANGE, *PESCAPE_EXCHANGE;

C_ASSERT(sizeof(ESCAPE_EXCHANGE) <= ESCAPE_SECTION_BYTES);

/* Extra of the listing attacks: foreign entries seen, and whether the attacker saw itself */
#define ESCAPE_LIST_SAW_ITSELF      0x80000000u
#define ESCAPE_LIST_FOREIGN_MASK    0x7FFFFFFFu

/* escapecalls.c: the calls the attacker and the host's control make alike */
VOID EscapeInitName(_Out_ POBJECT_ATTRIBUTES Attributes, _Out_ PUNICODE_STRING NameString, _In_ PCWSTR Name,
                    _In_ ULONG Flags, _In_opt_ HANDLE Root);
ULONG EscapeEnableAllPrivileges(VOID);
NTSTATUS EscapeCall(_In_ ESCAPE_ATTACK Attack, _In_ BOOLEAN Control);
NTSTATUS EscapeCreateProcessUnder(_In_ HANDLE Parent);
NTSTATUS EscapeConnectPort(_In_ PCWSTR PortName);

/* escapechild.c: the attacker */
DWORD EscapeFromSilo(VOID);

#endif /* _SILOTEST_ESCAPE_H_ */
