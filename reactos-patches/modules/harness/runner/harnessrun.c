/*
 * PROJECT:     ReactOS server-silo test harness
 * LICENSE:     GPL-2.0-or-later (https://spdx.org/licenses/GPL-2.0-or-later)
 * PURPOSE:     Boot-time runner: runs the guest tests that the host harness asked for
 *              (boot option HARNESS=module:test,...) and reports them on the debug port
 * COPYRIGHT:   Copyright 2026 ReactOS server-silo project contributors
 */

/*
 * The LiveCD's winlogon starts HKLM\SYSTEM\Setup\CmdLine, which the harness patch sets to
 * "harnessrun.exe setup -mini". Without a HARNESS= boot option this program only starts the
 * rest of its command line and waits for it, so a normal boot behaves as before.
 *
 * With the boot option HARNESSPLAN=COM1 the plan comes over the debug port instead: the runner
 * asks with DbgPrompt, which KDBG (booted with /KDSERIAL) answers from COM1, and the whole
 * system waits in the debugger meanwhile. The host snapshots the machine at that question and
 * starts later boots from the snapshot, answering each with its own plan. An answer uses the
 * boot options' syntax ("HARNESS=module:test,... HARNESSTIMEOUT=<s>"); "HARNESSMORE=1" in it
 * asks the runner to prompt again for more tests (one answer holds at most 511 characters).
 *
 * Line protocol on the debug port (one DbgPrint per line, so kernel output cannot split a line):
 *   [HARNESS] ready version=2 part=<n>                       (the plan question; then "kdb:> ")
 *   [HARNESS] start version=2 uptime_ms=<n> tests=<count> plan=<boot-options|com1>
 *   [HARNESS] plan <module>:<test>                           (once per requested test, in order)
 *   Running Wine Test, Module: <module>, Test: <test>        (rosautotest's framing)
 *   ... the test's own output (Wine test format, ending with its summary line) ...
 *   [HARNESS] exit <module>:<test> status=0x<8 hex digits>
 *   Test <test> completed in <s.ss> seconds.                 (rosautotest's framing)
 *   [HARNESS] timeout <module>:<test> after <s> s            (only when the test hung)
 *   [HARNESS] error <text>                                   (the runner itself failed)
 *   [HARNESS] done tests=<count> uptime_ms=<n>
 */

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WIN32_NO_STATUS
#include <windef.h>
#include <winbase.h>
#include <winreg.h>
#define NTOS_MODE_USER
#include <ndk/rtlfuncs.h>

#define HARNESS_PROTOCOL_VERSION    2
#define HARNESS_MAX_TESTS           64
#define HARNESS_MAX_NAME            64
#define HARNESS_DEFAULT_TIMEOUT_S   120
#define HARNESS_OPTIONS_CHARS       1024
/* DbgPrint truncates longer strings (512 bytes including the terminator) */
#define HARNESS_DBGPRINT_CHUNK      500
#define HARNESS_LINE_CHARS          4096
/* KDBG reads a DbgPrompt answer of at most 512 bytes, terminator included */
#define HARNESS_PLAN_ANSWER_CHARS   512
/* Questions asked for one plan: enough for HARNESS_MAX_TESTS tests of the longest names */
#define HARNESS_MAX_PLAN_PARTS      16
/* What "<module>.exe --list" may print, and how long it may take (kmtest loads its driver) */
#define HARNESS_LIST_CHARS          (32 * 1024)
#define HARNESS_LIST_TIMEOUT_MS     (60 * 1000)

typedef struct _HARNESS_TEST
{
    CHAR Module[HARNESS_MAX_NAME];
    CHAR Test[HARNESS_MAX_NAME];
} HARNESS_TEST, *PHARNESS_TEST;

typedef struct _HARNESS_REQUEST
{
    ULONG TestCount;
    ULONG TimeoutSeconds;
    BOOLEAN PlanFromDebugPort;
    HARNESS_TEST Tests[HARNESS_MAX_TESTS];
} HARNESS_REQUEST, *PHARNESS_REQUEST;

/* The output of "<module>.exe --list", kept whole (the list of a test program's tests) */
typedef struct _CAPTURE_CONTEXT
{
    HANDLE ReadPipe;
    CHAR Text[HARNESS_LIST_CHARS];
    ULONG Length;
} CAPTURE_CONTEXT, *PCAPTURE_CONTEXT;

typedef struct _RELAY_CONTEXT
{
    HANDLE ReadPipe;
    CHAR Line[HARNESS_LINE_CHARS];
    ULONG LineLength;
} RELAY_CONTEXT, *PRELAY_CONTEXT;

static
VOID
HarnessPrintLine(
    _In_ PCSTR Line)
{
    SIZE_T Length = strlen(Line);
    SIZE_T Offset = 0;
    CHAR Chunk[HARNESS_DBGPRINT_CHUNK + 1];

    /* Long lines go out in chunks; the last one carries the newline */
    do
    {
        SIZE_T Count = min(Length - Offset, (SIZE_T)HARNESS_DBGPRINT_CHUNK);
        memcpy(Chunk, Line + Offset, Count);
        Chunk[Count] = ANSI_NULL;
        Offset += Count;
        DbgPrint("%s%s", Chunk, (Offset >= Length) ? "\n" : "");
    } while (Offset < Length);
}

static
VOID
HarnessPrintf(
    _In_ PCSTR Format,
    ...)
{
    CHAR Line[HARNESS_LINE_CHARS];
    va_list Args;

    va_start(Args, Format);
    _vsnprintf(Line, sizeof(Line) - 1, Format, Args);
    va_end(Args);
    Line[sizeof(Line) - 1] = ANSI_NULL;
    HarnessPrintLine(Line);
}

/* A name is a module or test identifier: letters, digits, '_', '-' and '.' */
static
BOOLEAN
HarnessIsNameChar(
    _In_ CHAR Char)
{
    return ((Char >= 'a' && Char <= 'z') || (Char >= 'A' && Char <= 'Z') ||
            (Char >= '0' && Char <= '9') || Char == '_' || Char == '-' || Char == '.');
}

static
PCSTR
HarnessCopyName(
    _In_ PCSTR Source,
    _Out_writes_(HARNESS_MAX_NAME) PSTR Destination)
{
    ULONG Length = 0;

    while (HarnessIsNameChar(*Source) && Length < HARNESS_MAX_NAME - 1)
    {
        /* The boot loader may change the case of options; test names are lower case */
        CHAR Char = *Source++;
        if (Char >= 'A' && Char <= 'Z')
            Char += 'a' - 'A';
        Destination[Length++] = Char;
    }
    Destination[Length] = ANSI_NULL;
    return Source;
}

/* Finds KEY= as a whole word in the boot options and returns what follows it */
static
PCSTR
HarnessFindOption(
    _In_ PCSTR Options,
    _In_ PCSTR Key)
{
    SIZE_T KeyLength = strlen(Key);
    PCSTR Cursor = Options;

    while (*Cursor)
    {
        while (*Cursor == ' ' || *Cursor == '/')
            Cursor++;
        if (_strnicmp(Cursor, Key, KeyLength) == 0 && Cursor[KeyLength] == '=')
            return Cursor + KeyLength + 1;
        while (*Cursor && *Cursor != ' ')
            Cursor++;
    }
    return NULL;
}

/*!
 * @brief Adds the tests and timeout named in one option string to the request.
 *
 * @param[in] Options   Boot options, or a plan answer read from the debug port.
 * @param[in,out] Request  Tests are appended, in order.
 *
 * @return TRUE if the string carries a HARNESS= list.
 */
static
BOOLEAN
HarnessParsePlan(
    _In_ PCSTR Options,
    _Inout_ PHARNESS_REQUEST Request)
{
    PCSTR Cursor;

    Cursor = HarnessFindOption(Options, "HARNESSTIMEOUT");
    if (Cursor)
    {
        ULONG Seconds = strtoul(Cursor, NULL, 10);
        if (Seconds > 0)
            Request->TimeoutSeconds = Seconds;
    }

    Cursor = HarnessFindOption(Options, "HARNESS");
    if (!Cursor)
        return FALSE;

    /* module:test[,module:test...] */
    while (*Cursor && *Cursor != ' ' && Request->TestCount < HARNESS_MAX_TESTS)
    {
        PHARNESS_TEST Test = &Request->Tests[Request->TestCount];

        Cursor = HarnessCopyName(Cursor, Test->Module);
        if (*Cursor != ':')
            break;
        Cursor = HarnessCopyName(Cursor + 1, Test->Test);
        if (Test->Module[0] && Test->Test[0])
            Request->TestCount++;
        if (*Cursor != ',')
            break;
        Cursor++;
    }
    return TRUE;
}

/*!
 * @brief Asks the host for the plan over the debug port, one DbgPrompt per part.
 *
 * @param[in,out] Request  Receives the tests and the timeout.
 *
 * @return TRUE once an answer carried a HARNESS= list without HARNESSMORE=1.
 */
static
BOOLEAN
HarnessReadPlanFromDebugPort(
    _Inout_ PHARNESS_REQUEST Request)
{
    CHAR Question[HARNESS_DBGPRINT_CHUNK];
    CHAR Answer[HARNESS_PLAN_ANSWER_CHARS];
    ULONG Part;
    ULONG Length;
    PCSTR More;

    for (Part = 1; Part <= HARNESS_MAX_PLAN_PARTS; Part++)
    {
        _snprintf(Question, sizeof(Question) - 1, "[HARNESS] ready version=%d part=%lu",
                  HARNESS_PROTOCOL_VERSION, Part);
        Question[sizeof(Question) - 1] = ANSI_NULL;
        ZeroMemory(Answer, sizeof(Answer));
        Length = DbgPrompt(Question, Answer, sizeof(Answer) - 1);
        Answer[min(Length, sizeof(Answer) - 1)] = ANSI_NULL;

        if (!HarnessParsePlan(Answer, Request))
        {
            /* Ask again: the host answers only the question it saw */
            HarnessPrintf("[HARNESS] error plan part %lu has no HARNESS= list", Part);
            continue;
        }
        More = HarnessFindOption(Answer, "HARNESSMORE");
        if (!More || *More != '1')
            return TRUE;
    }
    HarnessPrintf("[HARNESS] error no complete plan after %lu questions", (ULONG)HARNESS_MAX_PLAN_PARTS);
    return FALSE;
}

/*!
 * @brief Reads the kernel's boot options and extracts the harness request.
 *
 * @param[out] Request  Tests to run, in order, and the per-test timeout.
 *
 * @return TRUE if the boot options carry a HARNESS= request or ask for the plan over
 *         the debug port (HARNESSPLAN=COM1), FALSE for a normal boot.
 */
static
BOOLEAN
HarnessReadRequest(
    _Out_ PHARNESS_REQUEST Request)
{
    CHAR Options[HARNESS_OPTIONS_CHARS];
    DWORD Size = sizeof(Options) - 1;
    DWORD Type;
    HKEY Key;
    LONG Error;
    PCSTR PlanSource;

    ZeroMemory(Request, sizeof(*Request));
    Request->TimeoutSeconds = HARNESS_DEFAULT_TIMEOUT_S;

    Error = RegOpenKeyExA(HKEY_LOCAL_MACHINE, "SYSTEM\\CurrentControlSet\\Control",
                          0, KEY_QUERY_VALUE, &Key);
    if (Error != ERROR_SUCCESS)
        return FALSE;
    Error = RegQueryValueExA(Key, "SystemStartOptions", NULL, &Type, (LPBYTE)Options, &Size);
    RegCloseKey(Key);
    if (Error != ERROR_SUCCESS || Type != REG_SZ)
        return FALSE;
    Options[min(Size, sizeof(Options) - 1)] = ANSI_NULL;

    PlanSource = HarnessFindOption(Options, "HARNESSPLAN");
    if (PlanSource && _strnicmp(PlanSource, "COM1", 4) == 0)
    {
        Request->PlanFromDebugPort = TRUE;
        /* The boot options may still set the timeout; the plan's own wins */
        HarnessParsePlan(Options, Request);
        return HarnessReadPlanFromDebugPort(Request);
    }
    return HarnessParsePlan(Options, Request);
}

static
VOID
RelayFlushLine(
    _Inout_ PRELAY_CONTEXT Context)
{
    /* Drop the CR of CRLF; the host reads LF-terminated lines */
    if (Context->LineLength && Context->Line[Context->LineLength - 1] == '\r')
        Context->LineLength--;
    Context->Line[Context->LineLength] = ANSI_NULL;
    HarnessPrintLine(Context->Line);
    Context->LineLength = 0;
}

/* Copies the test's stdout to the debug port, a whole line per DbgPrint */
static
DWORD
WINAPI
RelayThread(
    _In_ LPVOID Parameter)
{
    PRELAY_CONTEXT Context = Parameter;
    CHAR Buffer[512];
    DWORD Read, Index;

    while (ReadFile(Context->ReadPipe, Buffer, sizeof(Buffer), &Read, NULL) && Read)
    {
        for (Index = 0; Index < Read; Index++)
        {
            if (Buffer[Index] == '\n')
            {
                RelayFlushLine(Context);
                continue;
            }
            Context->Line[Context->LineLength++] = Buffer[Index];
            if (Context->LineLength == sizeof(Context->Line) - 1)
                RelayFlushLine(Context);
        }
    }
    if (Context->LineLength)
        RelayFlushLine(Context);
    return 0;
}

/* Reads a child's output into the capture buffer until the child's end of the pipe closes */
static
DWORD
WINAPI
CaptureThread(
    _In_ LPVOID Parameter)
{
    PCAPTURE_CONTEXT Context = Parameter;
    DWORD Read;
    CHAR Discard[256];

    for (;;)
    {
        DWORD Room = sizeof(Context->Text) - 1 - Context->Length;
        /* A full buffer keeps draining, so the child never blocks on a full pipe */
        PCHAR Into = Room ? Context->Text + Context->Length : Discard;
        if (!ReadFile(Context->ReadPipe, Into, Room ? Room : sizeof(Discard), &Read, NULL) || !Read)
            break;
        if (Room)
            Context->Length += Read;
    }
    Context->Text[Context->Length] = ANSI_NULL;
    return 0;
}

/*!
 * @brief Gives Test its test name as the program spells it.
 *
 * Test names arrive in lower case (the boot loader may change the case of options), but
 * Wine's test.h and kmtest look a test up case-sensitively and ReactOS's apitests have
 * names such as NtQueryObject. The program's "--list" ("Valid test names:", then one
 * indented name per line) gives the spelling. A program that cannot be started or does
 * not list the name keeps the name as asked; the run itself then reports why.
 */
static
VOID
HarnessResolveTestName(
    _Inout_ PHARNESS_TEST Test,
    _In_ PCSTR SystemRoot)
{
    CHAR CommandLine[MAX_PATH + 2 * HARNESS_MAX_NAME];
    SECURITY_ATTRIBUTES Inheritable = { sizeof(Inheritable), NULL, TRUE };
    PROCESS_INFORMATION ProcessInfo;
    STARTUPINFOA StartupInfo;
    PCAPTURE_CONTEXT Capture;
    HANDLE WritePipe, CaptureHandle;
    PSTR Line, Next;

    Capture = HeapAlloc(GetProcessHeap(), HEAP_ZERO_MEMORY, sizeof(*Capture));
    if (!Capture)
        return;
    _snprintf(CommandLine, sizeof(CommandLine) - 1, "\"%s\\bin\\%s.exe\" --list", SystemRoot, Test->Module);
    CommandLine[sizeof(CommandLine) - 1] = ANSI_NULL;
    if (!CreatePipe(&Capture->ReadPipe, &WritePipe, &Inheritable, 0))
    {
        HeapFree(GetProcessHeap(), 0, Capture);
        return;
    }
    SetHandleInformation(Capture->ReadPipe, HANDLE_FLAG_INHERIT, 0);

    ZeroMemory(&StartupInfo, sizeof(StartupInfo));
    StartupInfo.cb = sizeof(StartupInfo);
    StartupInfo.dwFlags = STARTF_USESTDHANDLES;
    StartupInfo.hStdOutput = WritePipe;
    StartupInfo.hStdError = WritePipe;
    if (!CreateProcessA(NULL, CommandLine, NULL, NULL, TRUE, CREATE_NO_WINDOW,
                        NULL, NULL, &StartupInfo, &ProcessInfo))
    {
        CloseHandle(WritePipe);
        CloseHandle(Capture->ReadPipe);
        HeapFree(GetProcessHeap(), 0, Capture);
        return;
    }
    CloseHandle(WritePipe);
    CloseHandle(ProcessInfo.hThread);

    CaptureHandle = CreateThread(NULL, 0, CaptureThread, Capture, 0, NULL);
    if (WaitForSingleObject(ProcessInfo.hProcess, HARNESS_LIST_TIMEOUT_MS) != WAIT_OBJECT_0)
    {
        TerminateProcess(ProcessInfo.hProcess, STATUS_TIMEOUT);
        WaitForSingleObject(ProcessInfo.hProcess, INFINITE);
    }
    CloseHandle(ProcessInfo.hProcess);
    if (CaptureHandle)
    {
        WaitForSingleObject(CaptureHandle, INFINITE);
        CloseHandle(CaptureHandle);

        for (Line = strstr(Capture->Text, "Valid test names:"); Line; Line = Next)
        {
            Next = strchr(Line, '\n');
            if (Next)
                *Next++ = ANSI_NULL;
            while (*Line == ' ' || *Line == '\t')
                Line++;
            Line[strcspn(Line, "\r ")] = ANSI_NULL;
            if (strlen(Line) < HARNESS_MAX_NAME && !_stricmp(Line, Test->Test))
            {
                strcpy(Test->Test, Line);
                break;
            }
        }
    }
    CloseHandle(Capture->ReadPipe);
    HeapFree(GetProcessHeap(), 0, Capture);
}

/*!
 * @brief Runs one Wine-format test program for one test and relays its output.
 *
 * @return The test process's exit status; STATUS_TIMEOUT if it had to be killed,
 *         or a Win32 error code in the NTSTATUS customer range if it could not start.
 */
static
DWORD
HarnessRunTest(
    _In_ PHARNESS_TEST Test,
    _In_ ULONG TimeoutSeconds)
{
    CHAR CommandLine[MAX_PATH + 2 * HARNESS_MAX_NAME];
    CHAR SystemRoot[MAX_PATH];
    SECURITY_ATTRIBUTES Inheritable = { sizeof(Inheritable), NULL, TRUE };
    PROCESS_INFORMATION ProcessInfo;
    STARTUPINFOA StartupInfo;
    RELAY_CONTEXT Relay;
    HANDLE WritePipe, RelayHandle;
    DWORD ExitCode, Wait;

    if (!GetEnvironmentVariableA("SystemRoot", SystemRoot, sizeof(SystemRoot)))
        strcpy(SystemRoot, "X:\\reactos");
    HarnessResolveTestName(Test, SystemRoot);
    _snprintf(CommandLine, sizeof(CommandLine) - 1, "\"%s\\bin\\%s.exe\" %s",
              SystemRoot, Test->Module, Test->Test);
    CommandLine[sizeof(CommandLine) - 1] = ANSI_NULL;

    ZeroMemory(&Relay, sizeof(Relay));
    if (!CreatePipe(&Relay.ReadPipe, &WritePipe, &Inheritable, 0))
    {
        HarnessPrintf("[HARNESS] error CreatePipe failed with %lu", GetLastError());
        return ERROR_SEVERITY_ERROR | APPLICATION_ERROR_MASK | GetLastError();
    }
    /* Only the child's end is inherited */
    SetHandleInformation(Relay.ReadPipe, HANDLE_FLAG_INHERIT, 0);

    ZeroMemory(&StartupInfo, sizeof(StartupInfo));
    StartupInfo.cb = sizeof(StartupInfo);
    StartupInfo.dwFlags = STARTF_USESTDHANDLES;
    StartupInfo.hStdInput = NULL;
    StartupInfo.hStdOutput = WritePipe;
    StartupInfo.hStdError = WritePipe;

    if (!CreateProcessA(NULL, CommandLine, NULL, NULL, TRUE, CREATE_NO_WINDOW,
                        NULL, NULL, &StartupInfo, &ProcessInfo))
    {
        DWORD Error = GetLastError();
        HarnessPrintf("[HARNESS] error cannot start %s: error %lu", CommandLine, Error);
        CloseHandle(WritePipe);
        CloseHandle(Relay.ReadPipe);
        return ERROR_SEVERITY_ERROR | APPLICATION_ERROR_MASK | Error;
    }
    /* The relay sees end-of-file once the child, the only writer left, exits */
    CloseHandle(WritePipe);
    CloseHandle(ProcessInfo.hThread);

    RelayHandle = CreateThread(NULL, 0, RelayThread, &Relay, 0, NULL);
    Wait = WaitForSingleObject(ProcessInfo.hProcess, TimeoutSeconds * 1000);
    if (Wait != WAIT_OBJECT_0)
    {
        HarnessPrintf("[HARNESS] timeout %s:%s after %lu s", Test->Module, Test->Test, TimeoutSeconds);
        TerminateProcess(ProcessInfo.hProcess, STATUS_TIMEOUT);
        WaitForSingleObject(ProcessInfo.hProcess, INFINITE);
    }
    if (RelayHandle)
    {
        WaitForSingleObject(RelayHandle, INFINITE);
        CloseHandle(RelayHandle);
    }
    else
    {
        HarnessPrintf("[HARNESS] error cannot relay the output of %s:%s", Test->Module, Test->Test);
    }
    if (!GetExitCodeProcess(ProcessInfo.hProcess, &ExitCode))
        ExitCode = STATUS_UNSUCCESSFUL;
    if (Wait != WAIT_OBJECT_0)
        ExitCode = STATUS_TIMEOUT;
    CloseHandle(ProcessInfo.hProcess);
    CloseHandle(Relay.ReadPipe);
    return ExitCode;
}

static
VOID
HarnessRunRequest(
    _In_ PHARNESS_REQUEST Request)
{
    ULONG Index;

    HarnessPrintf("[HARNESS] start version=%d uptime_ms=%lu tests=%lu plan=%s",
                  HARNESS_PROTOCOL_VERSION, GetTickCount(), Request->TestCount,
                  Request->PlanFromDebugPort ? "com1" : "boot-options");
    for (Index = 0; Index < Request->TestCount; Index++)
        HarnessPrintf("[HARNESS] plan %s:%s", Request->Tests[Index].Module, Request->Tests[Index].Test);

    for (Index = 0; Index < Request->TestCount; Index++)
    {
        PHARNESS_TEST Test = &Request->Tests[Index];
        DWORD Start = GetTickCount();
        DWORD ExitCode, Elapsed;

        HarnessPrintf("Running Wine Test, Module: %s, Test: %s", Test->Module, Test->Test);
        ExitCode = HarnessRunTest(Test, Request->TimeoutSeconds);
        Elapsed = GetTickCount() - Start;
        HarnessPrintf("[HARNESS] exit %s:%s status=0x%08lx", Test->Module, Test->Test, ExitCode);
        HarnessPrintf("Test %s completed in %lu.%02lu seconds.",
                      Test->Test, Elapsed / 1000, (Elapsed % 1000) / 10);
    }

    HarnessPrintf("[HARNESS] done tests=%lu uptime_ms=%lu", Request->TestCount, GetTickCount());
}

/* Starts what follows our own name on the command line (the LiveCD's "setup -mini") and waits */
static
DWORD
HarnessChainCommand(VOID)
{
    PWSTR CommandLine = GetCommandLineW();
    PROCESS_INFORMATION ProcessInfo;
    STARTUPINFOW StartupInfo;
    BOOLEAN Quoted = FALSE;
    DWORD ExitCode = 0;

    /* Skip our own image name, quoted or not */
    while (*CommandLine && (Quoted || (*CommandLine != L' ' && *CommandLine != L'\t')))
    {
        if (*CommandLine == L'"')
            Quoted = !Quoted;
        CommandLine++;
    }
    while (*CommandLine == L' ' || *CommandLine == L'\t')
        CommandLine++;
    if (!*CommandLine)
        return 0;

    ZeroMemory(&StartupInfo, sizeof(StartupInfo));
    StartupInfo.cb = sizeof(StartupInfo);
    StartupInfo.lpDesktop = L"WinSta0\\Default";
    if (!CreateProcessW(NULL, CommandLine, NULL, NULL, FALSE, 0, NULL, NULL,
                        &StartupInfo, &ProcessInfo))
    {
        return GetLastError();
    }
    CloseHandle(ProcessInfo.hThread);
    WaitForSingleObject(ProcessInfo.hProcess, INFINITE);
    GetExitCodeProcess(ProcessInfo.hProcess, &ExitCode);
    CloseHandle(ProcessInfo.hProcess);
    return ExitCode;
}

int
WINAPI
WinMain(
    _In_ HINSTANCE hInstance,
    _In_opt_ HINSTANCE hPrevInstance,
    _In_ LPSTR lpCmdLine,
    _In_ int nShowCmd)
{
    /* Large enough to stay off the (small) default stack */
    static HARNESS_REQUEST Request;

    UNREFERENCED_PARAMETER(hInstance);
    UNREFERENCED_PARAMETER(hPrevInstance);
    UNREFERENCED_PARAMETER(lpCmdLine);
    UNREFERENCED_PARAMETER(nShowCmd);

    if (HarnessReadRequest(&Request))
        HarnessRunRequest(&Request);

    return (int)HarnessChainCommand();
}
