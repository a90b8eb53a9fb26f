/*
 * PROJECT:     ReactOS server-silo test harness
 * LICENSE:     GPL-2.0-or-later (https://spdx.org/licenses/GPL-2.0-or-later)
 * PURPOSE:     Watching jobs from the host as an operator does: their
 *              completion port messages, per-silo figures over time, and how
 *              late a host timer runs while a tenant misbehaves
 * COPYRIGHT:   Copyright 2026 ReactOS server-silo project contributors
 */

#include "precomp.h"

/* A job's messages come at once: a missing one is not waited for long */
#define JOB_MESSAGE_WAIT_MS         5000

/* How often the host timer ticks */
#define HOST_TIMER_PERIOD_MS        10

/* Milliseconds since a QueryPerformanceCounter reading */
double
MsSince(
    _In_ PLARGE_INTEGER Start)
{
    LARGE_INTEGER Now, Frequency;

    QueryPerformanceCounter(&Now);
    QueryPerformanceFrequency(&Frequency);
    return (double)(Now.QuadPart - Start->QuadPart) * 1000.0 / (double)Frequency.QuadPart;
}

/* Waits up to TimeoutMs for a process to exit; its exit code, or STILL_ACTIVE if it did not */
DWORD
WaitExitCode(
    _In_ HANDLE Process,
    _In_ DWORD TimeoutMs)
{
    DWORD ExitCode = STILL_ACTIVE;

    if (WaitForSingleObject(Process, TimeoutMs) == WAIT_OBJECT_0) GetExitCodeProcess(Process, &ExitCode);
    return ExitCode;
}

/* A completion port that gets the job's messages under Key */
HANDLE
AttachJobPort(
    _In_ HANDLE Job,
    _In_ ULONG_PTR Key)
{
    JOBOBJECT_ASSOCIATE_COMPLETION_PORT Association;
    HANDLE Port;

    Port = CreateIoCompletionPort(INVALID_HANDLE_VALUE, NULL, 0, 1);
    if (Port == NULL) return NULL;

    Association.CompletionKey = (PVOID)Key;
    Association.CompletionPort = Port;
    if (!NT_SUCCESS(NtSetInformationJobObject(Job, JobObjectAssociateCompletionPortInformation,
                                              &Association, sizeof(Association))))
    {
        CloseHandle(Port);
        return NULL;
    }
    return Port;
}

/* The next message, as a Win32 host reads it; FALSE when none came within TimeoutMs */
BOOL
ReadJobMessage(
    _In_ HANDLE Port,
    _In_ DWORD TimeoutMs,
    _Out_ PJOB_MESSAGE Message)
{
    LPOVERLAPPED Overlapped = NULL;

    ZeroMemory(Message, sizeof(*Message));
    if (!GetQueuedCompletionStatus(Port, &Message->Id, &Message->Key, &Overlapped, TimeoutMs)) return FALSE;
    Message->ProcessId = (ULONG_PTR)Overlapped;
    return TRUE;
}

/* The next message must be Id about ProcessId (0: about the whole job), with the job's key */
BOOL
ExpectJobMessage(
    _In_ HANDLE Port,
    _In_ ULONG_PTR Key,
    _In_ DWORD Id,
    _In_ ULONG_PTR ProcessId,
    _In_ PCSTR Case)
{
    JOB_MESSAGE Message;

    if (!ReadJobMessage(Port, JOB_MESSAGE_WAIT_MS, &Message))
    {
        ok(FALSE, "%s: no message %lu (about %Iu) arrived\n", Case, Id, ProcessId);
        return FALSE;
    }
    ok(Message.Id == Id && Message.Key == Key && Message.ProcessId == ProcessId,
       "%s: message %lu key %Iu about %Iu, expected %lu key %Iu about %Iu\n",
       Case, Message.Id, Message.Key, Message.ProcessId, Id, Key, ProcessId);
    return (Message.Id == Id && Message.Key == Key && Message.ProcessId == ProcessId);
}

/* No further message within QuietMs */
BOOL
ExpectNoJobMessage(
    _In_ HANDLE Port,
    _In_ DWORD QuietMs,
    _In_ PCSTR Case)
{
    JOB_MESSAGE Message;

    if (!ReadJobMessage(Port, QuietMs, &Message)) return TRUE;
    ok(FALSE, "%s: unexpected message %lu about %Iu\n", Case, Message.Id, Message.ProcessId);
    return FALSE;
}

/* Every message that arrives until none came for QuietMs */
ULONG
DrainJobMessages(
    _In_ HANDLE Port,
    _In_ DWORD QuietMs,
    _Out_writes_(Max) PJOB_MESSAGE Messages,
    _In_ ULONG Max)
{
    ULONG Count = 0;
    JOB_MESSAGE Message;

    while (ReadJobMessage(Port, QuietMs, &Message))
    {
        if (Count < Max) Messages[Count] = Message;
        Count++;
    }
    return Count;
}

/* The job's accounting: times, process counts and I/O, of running and exited processes */
BOOL
QueryJobUse(
    _In_ HANDLE Job,
    _Out_ PJOBOBJECT_BASIC_AND_IO_ACCOUNTING_INFORMATION Use)
{
    ZeroMemory(Use, sizeof(*Use));
    return NT_SUCCESS(NtQueryInformationJobObject(Job, JobObjectBasicAndIoAccountingInformation,
                                                  Use, sizeof(*Use), NULL));
}

/* CPU time of the job's processes, running and exited, in milliseconds */
double
JobCpuMs(
    _In_ HANDLE Job)
{
    JOBOBJECT_BASIC_AND_IO_ACCOUNTING_INFORMATION Use;

    if (!QueryJobUse(Job, &Use)) return 0.0;
    return (double)(Use.BasicInfo.TotalUserTime.QuadPart + Use.BasicInfo.TotalKernelTime.QuadPart) / 10000.0;
}

/* The job's peak commit, in bytes */
SIZE_T
JobPeakCommit(
    _In_ HANDLE Job)
{
    JOBOBJECT_EXTENDED_LIMIT_INFORMATION Limits;

    if (!NT_SUCCESS(NtQueryInformationJobObject(Job, JobObjectExtendedLimitInformation,
                                                &Limits, sizeof(Limits), NULL)))
    {
        return 0;
    }
    return Limits.PeakJobMemoryUsed;
}

/*
 * What the job's active processes commit now, in KB: the sum of their
 * private pages (SYSTEM_PROCESS_INFORMATION.PrivatePageCount, which this
 * kernel reports in pages)
 */
ULONG
JobCommitKb(
    _In_ HANDLE Job)
{
    ULONG_PTR Buffer[FIELD_OFFSET(JOBOBJECT_BASIC_PROCESS_ID_LIST, ProcessIdList[JOB_WATCH_MAX_PROCESSES]) /
                     sizeof(ULONG_PTR)];
    PJOBOBJECT_BASIC_PROCESS_ID_LIST List = (PJOBOBJECT_BASIC_PROCESS_ID_LIST)Buffer;
    PSYSTEM_PROCESS_INFORMATION Processes, Entry;
    ULONG Kb = 0, i;

    if (!NT_SUCCESS(NtQueryInformationJobObject(Job, JobObjectBasicProcessIdList, List, sizeof(Buffer), NULL)))
        return 0;
    Processes = QueryProcessList();
    if (Processes == NULL) return 0;

    for (Entry = Processes; ; Entry = (PSYSTEM_PROCESS_INFORMATION)((PUCHAR)Entry + Entry->NextEntryOffset))
    {
        for (i = 0; i < List->NumberOfProcessIdsInList; i++)
        {
            if ((ULONG_PTR)Entry->UniqueProcessId == List->ProcessIdList[i])
            {
                Kb += (ULONG)(Entry->PrivatePageCount * (PAGE_SIZE / 1024));
            }
        }
        if (Entry->NextEntryOffset == 0) break;
    }
    HeapFree(GetProcessHeap(), 0, Processes);
    return Kb;
}

/* Prints one "silo-sample" metric line per watched job, and keeps the shares */
static
VOID
TakeSamples(
    _Inout_ PJOB_SAMPLER Sampler)
{
    ULONG i;
    double Now = MsSince(&Sampler->Start);

    for (i = 0; i < Sampler->Count; i++)
    {
        PJOB_SAMPLE_SERIES Series = &Sampler->Series[i];
        JOBOBJECT_BASIC_AND_IO_ACCOUNTING_INFORMATION Use;
        double CpuMs, Share;

        if (!QueryJobUse(Series->Job, &Use)) continue;
        CpuMs = (double)(Use.BasicInfo.TotalUserTime.QuadPart + Use.BasicInfo.TotalKernelTime.QuadPart) / 10000.0;
        Share = (Now > Series->LastMs) ? 100.0 * (CpuMs - Series->LastCpuMs) / (Now - Series->LastMs) : 0.0;
        Series->LastCpuMs = CpuMs;
        Series->LastMs = Now;

        trace("silo-sample: test=%s silo=%lu t_ms=%.0f cpu_ms=%.0f share=%.1f commit_kb=%lu peak_kb=%Iu "
              "processes=%lu read_ops=%I64u write_ops=%I64u other_ops=%I64u\n",
              Sampler->Name, Series->SiloId, Now, CpuMs, Share, JobCommitKb(Series->Job),
              JobPeakCommit(Series->Job) / 1024, Use.BasicInfo.ActiveProcesses,
              Use.IoInfo.ReadOperationCount, Use.IoInfo.WriteOperationCount, Use.IoInfo.OtherOperationCount);
    }
}

static
DWORD
WINAPI
SamplerThread(
    _In_ LPVOID Parameter)
{
    PJOB_SAMPLER Sampler = Parameter;

    do
    {
        TakeSamples(Sampler);
    } while (WaitForSingleObject(Sampler->Stop, Sampler->PeriodMs) == WAIT_TIMEOUT);
    TakeSamples(Sampler);
    return 0;
}

/* Starts printing the figures of Count jobs (silos) every PeriodMs */
BOOL
StartJobSampler(
    _Out_ PJOB_SAMPLER Sampler,
    _In_ PCSTR Name,
    _In_reads_(Count) HANDLE *Jobs,
    _In_reads_(Count) ULONG *SiloIds,
    _In_ ULONG Count,
    _In_ DWORD PeriodMs)
{
    ULONG i;

    ZeroMemory(Sampler, sizeof(*Sampler));
    if (Count > JOB_SAMPLER_MAX_JOBS) return FALSE;
    Sampler->Name = Name;
    Sampler->Count = Count;
    Sampler->PeriodMs = PeriodMs;
    QueryPerformanceCounter(&Sampler->Start);
    for (i = 0; i < Count; i++)
    {
        Sampler->Series[i].Job = Jobs[i];
        Sampler->Series[i].SiloId = SiloIds[i];
        Sampler->Series[i].LastCpuMs = JobCpuMs(Jobs[i]);
    }
    Sampler->Stop = CreateEventW(NULL, TRUE, FALSE, NULL);
    if (Sampler->Stop == NULL) return FALSE;
    Sampler->Thread = CreateThread(NULL, 0, SamplerThread, Sampler, 0, NULL);
    return (Sampler->Thread != NULL);
}

VOID
StopJobSampler(
    _Inout_ PJOB_SAMPLER Sampler)
{
    if (Sampler->Thread)
    {
        SetEvent(Sampler->Stop);
        WaitForSingleObject(Sampler->Thread, INFINITE);
        CloseHandle(Sampler->Thread);
    }
    if (Sampler->Stop) CloseHandle(Sampler->Stop);
    ZeroMemory(Sampler, sizeof(*Sampler));
}

static
DWORD
WINAPI
HostTimerThread(
    _In_ LPVOID Parameter)
{
    PHOST_TIMER Timer = Parameter;

    /* A host thread at normal priority, as a host service's timer would be */
    while (WaitForSingleObject(Timer->Stop, 0) == WAIT_TIMEOUT)
    {
        LARGE_INTEGER Start;
        double Late;

        QueryPerformanceCounter(&Start);
        Sleep(HOST_TIMER_PERIOD_MS);
        Late = MsSince(&Start) - HOST_TIMER_PERIOD_MS;
        if (Late > Timer->WorstLateMs) Timer->WorstLateMs = Late;
        Timer->TotalLateMs += (Late > 0.0) ? Late : 0.0;
        Timer->Ticks++;
    }
    return 0;
}

/* Starts a host thread that sleeps HOST_TIMER_PERIOD_MS at a time and notes how late it wakes */
BOOL
StartHostTimer(
    _Out_ PHOST_TIMER Timer)
{
    ZeroMemory(Timer, sizeof(*Timer));
    Timer->Stop = CreateEventW(NULL, TRUE, FALSE, NULL);
    if (Timer->Stop == NULL) return FALSE;
    Timer->Thread = CreateThread(NULL, 0, HostTimerThread, Timer, 0, NULL);
    return (Timer->Thread != NULL);
}

/* Stops it and prints "host-timer: test=<Name> period_ms=10 ticks=<n> worst_late_ms=<x> mean_late_ms=<y>" */
VOID
StopHostTimer(
    _Inout_ PHOST_TIMER Timer,
    _In_ PCSTR Name)
{
    if (Timer->Thread)
    {
        SetEvent(Timer->Stop);
        WaitForSingleObject(Timer->Thread, INFINITE);
        CloseHandle(Timer->Thread);
    }
    if (Timer->Stop) CloseHandle(Timer->Stop);
    trace("host-timer: test=%s period_ms=%d ticks=%lu worst_late_ms=%.1f mean_late_ms=%.2f\n",
          Name, HOST_TIMER_PERIOD_MS, Timer->Ticks, Timer->WorstLateMs,
          Timer->Ticks ? Timer->TotalLateMs / Timer->Ticks : 0.0);
    Timer->Thread = NULL;
    Timer->Stop = NULL;
}

/* Available memory, in MB */
ULONG
AvailableMb(VOID)
{
    SYSTEM_PERFORMANCE_INFORMATION Performance;

    if (!NT_SUCCESS(NtQuerySystemInformation(SystemPerformanceInformation, &Performance,
                                             sizeof(Performance), NULL)))
    {
        return 0;
    }
    return (ULONG)(((ULONGLONG)Performance.AvailablePages * PAGE_SIZE) / (1024 * 1024));
}

/* Sets a job's limits; LimitFlags says which of the other values count */
NTSTATUS
SetJobLimits(
    _In_ HANDLE Job,
    _In_ ULONG LimitFlags,
    _In_ ULONG ActiveProcessLimit,
    _In_ SIZE_T ProcessMemoryLimit,
    _In_ SIZE_T JobMemoryLimit,
    _In_ LONGLONG PerProcessUserTime,
    _In_ LONGLONG PerJobUserTime)
{
    JOBOBJECT_EXTENDED_LIMIT_INFORMATION Limits;

    ZeroMemory(&Limits, sizeof(Limits));
    Limits.BasicLimitInformation.LimitFlags = LimitFlags;
    Limits.BasicLimitInformation.ActiveProcessLimit = ActiveProcessLimit;
    Limits.BasicLimitInformation.PerProcessUserTimeLimit.QuadPart = PerProcessUserTime;
    Limits.BasicLimitInformation.PerJobUserTimeLimit.QuadPart = PerJobUserTime;
    Limits.ProcessMemoryLimit = ProcessMemoryLimit;
    Limits.JobMemoryLimit = JobMemoryLimit;
    return NtSetInformationJobObject(Job, JobObjectExtendedLimitInformation, &Limits, sizeof(Limits));
}

NTSTATUS
SetJobCpuRate(
    _In_ HANDLE Job,
    _In_ ULONG ControlFlags,
    _In_ ULONG RateOrWeight)
{
    JOBOBJECT_CPU_RATE_CONTROL_INFORMATION RateControl;

    ZeroMemory(&RateControl, sizeof(RateControl));
    RateControl.ControlFlags = ControlFlags;
    RateControl.CpuRate = RateOrWeight;
    return NtSetInformationJobObject(Job, JobObjectCpuRateControlInformation, &RateControl, sizeof(RateControl));
}
