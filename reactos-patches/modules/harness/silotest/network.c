/*
 * PROJECT:     ReactOS server-silo test harness
 * LICENSE:     GPL-2.0-or-later (https://spdx.org/licenses/GPL-2.0-or-later)
 * PURPOSE:     A server silo's network (JobObjectSiloNetworkConfiguration):
 *              the interface with its negative cases; with the network off
 *              every way to the network stack fails, with it on a program in
 *              the silo talks TCP on loopback and to the host's listener
 * COPYRIGHT:   Copyright 2026 ReactOS server-silo project contributors
 */

#include "precomp.h"
#include <winsock2.h>
#include <winsvc.h>
#include <winuser.h>
#include <setupapi.h>

#define NET_CHILD_TIMEOUT_MS    60000
/* How long the host waits for TCP/IP to come up */
#define NET_STACK_WAIT_MS       30000
#define NET_STACK_POLL_MS       500
#define NET_STACK_DEVICE        L"\\Device\\Tcp"
/* The LiveCD carries TCP/IP but installs it with no card (MININT): the network class installer's steps */
#define NET_STACK_INF           L"%SystemRoot%\\inf\\nettcpip.inf"
#define NET_STACK_SECTION       L"MS_TCPIP.PrimaryInstall"
#define NET_STACK_SERVICES      L"MS_TCPIP.PrimaryInstall.Services"
#define NET_STACK_SERVICE       L"Tcpip"
/* Where the component's own (HKR) values go, as netcfgx keeps them */
#define NET_STACK_COMPONENT_KEY L"SYSTEM\\CurrentControlSet\\Control\\Network\\" \
                                L"{4D36E975-E325-11CE-BFC1-08002BE10318}\\MS_TCPIP"
#define NET_PING                "silo-ping"
#define NET_LOOPBACK            0x0100007F      /* 127.0.0.1, network order on x86 */

/* What the probe opens directly, each a way to the network stack */
static const PCWSTR NetTargets[] =
{
    L"\\Device\\Afd\\Endpoint",
    L"\\Device\\Tcp",
    L"\\Device\\Udp",
    L"\\Device\\RawIp",
    L"\\Device\\Ip",
    L"\\??\\GLOBALROOT\\Device\\Tcp",
    L"\\Device\\Mup",
    L"\\??\\UNC\\127.0.0.1\\pipe\\SiloNetProbe",
};
#define NET_TARGETS             ARRAYSIZE(NetTargets)

/* Exit code bits of the "netprobe" child above the per-target bits (1 << target) */
#define NETPROBE_FAIL_SOCKET    0x0100      /* socket() did not do what the mode says */
#define NETPROBE_FAIL_LOOPBACK  0x0200      /* on: no TCP round trip on loopback inside the silo */
#define NETPROBE_FAIL_HOST      0x0400      /* on: no connection to the host's listener */
#define NETPROBE_FAIL_SETUP     0x0800
#define NETPROBE_FAIL_ARGUMENT  0x1000

/* The status the gate gives (README) */
#define SILO_NETWORK_DENIED     STATUS_NETWORK_ACCESS_DENIED

typedef struct _HOST_LISTENER
{
    SOCKET Socket;
    USHORT Port;
    volatile LONG Connections;
    volatile LONG Stopping;
    HANDLE Thread;
} HOST_LISTENER;

/* Opens a target as the probe does, and closes it: the status is all it tells */
static
NTSTATUS
OpenTarget(
    _In_ PCWSTR Name)
{
    return OpenAndCloseFile(Name, GENERIC_READ | SYNCHRONIZE, FILE_SHARE_READ | FILE_SHARE_WRITE);
}

/* Whether a target is there at all: a name that does not resolve proves nothing either way */
static
BOOLEAN
IsAbsent(
    _In_ NTSTATUS Status)
{
    return Status == STATUS_OBJECT_NAME_NOT_FOUND || Status == STATUS_OBJECT_PATH_NOT_FOUND ||
           Status == STATUS_NO_SUCH_DEVICE || Status == STATUS_OBJECT_NAME_INVALID;
}

/* A TCP round trip on loopback: a listener and a client of the caller's own */
static
BOOL
LoopbackRoundTrip(VOID)
{
    struct sockaddr_in Address;
    int Length = sizeof(Address);
    SOCKET Listener, Client = INVALID_SOCKET, Server = INVALID_SOCKET;
    CHAR Buffer[sizeof(NET_PING)];
    BOOL Success = FALSE;

    Listener = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    if (Listener == INVALID_SOCKET) return FALSE;
    ZeroMemory(&Address, sizeof(Address));
    Address.sin_family = AF_INET;
    Address.sin_addr.s_addr = NET_LOOPBACK;
    if (bind(Listener, (struct sockaddr *)&Address, sizeof(Address)) == 0 &&
        getsockname(Listener, (struct sockaddr *)&Address, &Length) == 0 &&
        listen(Listener, 1) == 0)
    {
        Client = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
        if (Client != INVALID_SOCKET && connect(Client, (struct sockaddr *)&Address, sizeof(Address)) == 0)
        {
            Server = accept(Listener, NULL, NULL);
            if (Server != INVALID_SOCKET && send(Client, NET_PING, sizeof(NET_PING), 0) == sizeof(NET_PING) &&
                recv(Server, Buffer, sizeof(Buffer), MSG_WAITALL) == sizeof(NET_PING))
            {
                Success = !memcmp(Buffer, NET_PING, sizeof(NET_PING));
            }
        }
    }
    if (Server != INVALID_SOCKET) closesocket(Server);
    if (Client != INVALID_SOCKET) closesocket(Client);
    closesocket(Listener);
    return Success;
}

static
BOOL
ConnectToPort(
    _In_ USHORT Port)
{
    struct sockaddr_in Address;
    SOCKET Client;
    BOOL Success;

    Client = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    if (Client == INVALID_SOCKET) return FALSE;
    ZeroMemory(&Address, sizeof(Address));
    Address.sin_family = AF_INET;
    Address.sin_addr.s_addr = NET_LOOPBACK;
    Address.sin_port = htons(Port);
    Success = (connect(Client, (struct sockaddr *)&Address, sizeof(Address)) == 0);
    closesocket(Client);
    return Success;
}

/*
 * The probe, in a silo of mode <mode> (or on the host as the control):
 * argument "<mode>:<host port>:<mask of the targets the host has>".
 */
static
DWORD
ProbeNetwork(
    _In_ SILO_NETWORK_MODE Mode,
    _In_ USHORT HostPort,
    _In_ ULONG Present)
{
    BOOLEAN Off = (Mode == SiloNetworkNone);
    WSADATA Data;
    SOCKET Socket;
    NTSTATUS Status;
    DWORD Failures = 0;
    ULONG i;

    for (i = 0; i < NET_TARGETS; i++)
    {
        if (!(Present & (1UL << i))) continue;
        Status = OpenTarget(NetTargets[i]);
        if (Off ? (Status != SILO_NETWORK_DENIED) : (Status == SILO_NETWORK_DENIED)) Failures |= 1UL << i;
    }

    if (WSAStartup(MAKEWORD(2, 2), &Data) != 0) return Failures | NETPROBE_FAIL_SETUP;
    Socket = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    if (Off ? (Socket != INVALID_SOCKET) : (Socket == INVALID_SOCKET)) Failures |= NETPROBE_FAIL_SOCKET;
    if (Socket != INVALID_SOCKET) closesocket(Socket);
    if (!Off)
    {
        if (!LoopbackRoundTrip()) Failures |= NETPROBE_FAIL_LOOPBACK;
        if (HostPort != 0 && !ConnectToPort(HostPort)) Failures |= NETPROBE_FAIL_HOST;
    }
    WSACleanup();
    return Failures;
}

DWORD
NetworkProbeChild(
    _In_ PCSTR Argument)
{
    ULONG Mode, Port, Present;

    if (sscanf(Argument, "%lu:%lu:%lu", &Mode, &Port, &Present) != 3 || Mode >= MaxSiloNetworkMode || Port > 0xFFFF)
    {
        return NETPROBE_FAIL_ARGUMENT;
    }
    return ProbeNetwork((SILO_NETWORK_MODE)Mode, (USHORT)Port, Present);
}

static
NTSTATUS
SetNetworkMode(
    _In_ HANDLE Job,
    _In_ ULONG Version,
    _In_ SILO_NETWORK_MODE Mode,
    _In_ ULONG Flags)
{
    SILO_NETWORK_CONFIGURATION Configuration;

    ZeroMemory(&Configuration, sizeof(Configuration));
    Configuration.Version = Version;
    Configuration.Mode = Mode;
    Configuration.Flags = Flags;
    return NtSetInformationJobObject(Job, JobObjectSiloNetworkConfiguration, &Configuration, sizeof(Configuration));
}

static
NTSTATUS
QueryNetworkMode(
    _In_ HANDLE Job,
    _Out_ PSILO_NETWORK_MODE Mode)
{
    SILO_NETWORK_CONFIGURATION Configuration;
    NTSTATUS Status;

    *Mode = MaxSiloNetworkMode;
    Status = NtQueryInformationJobObject(Job, JobObjectSiloNetworkConfiguration,
                                         &Configuration, sizeof(Configuration), NULL);
    if (NT_SUCCESS(Status)) *Mode = Configuration.Mode;
    return Status;
}

static
void
TestNetworkInterface(VOID)
{
    SILO_NETWORK_CONFIGURATION Configuration;
    SILOOBJECT_ROOT_DIRECTORY Root;
    SERVERSILO_INIT_INFORMATION Init;
    SILO_NETWORK_MODE Mode;
    HANDLE Plain, Silo;
    ULONG ReturnLength = 0;
    NTSTATUS Status;

    ok(NT_SUCCESS(CreateJob(&Plain, 0)), "CreateJob failed\n");
    Status = SetNetworkMode(Plain, SILO_NETWORK_CONFIGURATION_VERSION, SiloNetworkNone, 0);
    ok(Status == STATUS_JOB_NO_CONTAINER, "plain job: 0x%08lx\n", Status);
    NtClose(Plain);

    ok(NT_SUCCESS(MakeSilo(&Silo)), "MakeSilo failed\n");
    Status = QueryNetworkMode(Silo, &Mode);
    ok(Status == STATUS_SUCCESS && Mode == SiloNetworkHost, "default: 0x%08lx, mode %d\n", Status, Mode);
    ZeroMemory(&Configuration, sizeof(Configuration));
    Configuration.Version = SILO_NETWORK_CONFIGURATION_VERSION;
    Status = NtSetInformationJobObject(Silo, JobObjectSiloNetworkConfiguration, &Configuration,
                                       sizeof(Configuration) - 1);
    ok(Status == STATUS_INFO_LENGTH_MISMATCH, "short set: 0x%08lx\n", Status);
    Status = NtQueryInformationJobObject(Silo, JobObjectSiloNetworkConfiguration, &Configuration,
                                         sizeof(Configuration) - 1, &ReturnLength);
    ok(Status == STATUS_INFO_LENGTH_MISMATCH && ReturnLength == sizeof(Configuration),
       "short query: 0x%08lx, %lu\n", Status, ReturnLength);
    Status = SetNetworkMode(Silo, SILO_NETWORK_CONFIGURATION_VERSION + 1, SiloNetworkNone, 0);
    ok(Status == STATUS_UNKNOWN_REVISION, "next version: 0x%08lx\n", Status);
    Status = SetNetworkMode(Silo, SILO_NETWORK_CONFIGURATION_VERSION, SiloNetworkNone, 1);
    ok(Status == STATUS_INVALID_PARAMETER, "flags: 0x%08lx\n", Status);
    Status = SetNetworkMode(Silo, SILO_NETWORK_CONFIGURATION_VERSION, MaxSiloNetworkMode, 0);
    ok(Status == STATUS_INVALID_PARAMETER, "unknown mode: 0x%08lx\n", Status);
    ok(EnableTcb(FALSE), "cannot disable SeTcbPrivilege\n");
    Status = SetNetworkMode(Silo, SILO_NETWORK_CONFIGURATION_VERSION, SiloNetworkNone, 0);
    ok(Status == STATUS_PRIVILEGE_NOT_HELD, "without SeTcbPrivilege: 0x%08lx\n", Status);
    ok(EnableTcb(TRUE), "cannot enable SeTcbPrivilege\n");
    Status = QueryNetworkMode(Silo, &Mode);
    ok(Status == STATUS_SUCCESS && Mode == SiloNetworkHost, "after the refusals: mode %d\n", Mode);

    Status = SetNetworkMode(Silo, SILO_NETWORK_CONFIGURATION_VERSION, SiloNetworkNone, 0);
    ok(Status == STATUS_SUCCESS, "off: 0x%08lx\n", Status);
    ZeroMemory(&Root, sizeof(Root));
    Root.ControlFlags = SILO_OBJECT_ROOT_DIRECTORY_ALL;
    ok(NT_SUCCESS(NtSetInformationJobObject(Silo, JobObjectSiloRootDirectory, &Root, sizeof(Root))), "root failed\n");
    ZeroMemory(&Init, sizeof(Init));
    ok(NT_SUCCESS(NtSetInformationJobObject(Silo, JobObjectServerSiloInitialize, &Init, sizeof(Init))),
       "initialize failed\n");
    Status = SetNetworkMode(Silo, SILO_NETWORK_CONFIGURATION_VERSION, SiloNetworkHost, 0);
    ok(Status == STATUS_CONTAINER_ASSIGNED, "after initialize: 0x%08lx\n", Status);
    Status = QueryNetworkMode(Silo, &Mode);
    ok(Status == STATUS_SUCCESS && Mode == SiloNetworkNone, "after initialize: mode %d\n", Mode);
    NtClose(Silo);
}

static
DWORD
WINAPI
AcceptConnections(
    _In_ LPVOID Context)
{
    HOST_LISTENER *Listener = Context;
    SOCKET Client;

    while (!Listener->Stopping)
    {
        Client = accept(Listener->Socket, NULL, NULL);
        if (Client == INVALID_SOCKET) break;
        if (!Listener->Stopping) InterlockedIncrement(&Listener->Connections);
        closesocket(Client);
    }
    return 0;
}

static
BOOL
StartHostListener(
    _Out_ HOST_LISTENER *Listener)
{
    struct sockaddr_in Address;
    int Length = sizeof(Address);

    ZeroMemory(Listener, sizeof(*Listener));
    Listener->Socket = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    if (Listener->Socket == INVALID_SOCKET) return FALSE;
    ZeroMemory(&Address, sizeof(Address));
    Address.sin_family = AF_INET;
    Address.sin_addr.s_addr = NET_LOOPBACK;
    if (bind(Listener->Socket, (struct sockaddr *)&Address, sizeof(Address)) != 0 ||
        getsockname(Listener->Socket, (struct sockaddr *)&Address, &Length) != 0 ||
        listen(Listener->Socket, SOMAXCONN) != 0)
    {
        closesocket(Listener->Socket);
        return FALSE;
    }
    Listener->Port = ntohs(Address.sin_port);
    Listener->Thread = CreateThread(NULL, 0, AcceptConnections, Listener, 0, NULL);
    return Listener->Thread != NULL;
}

static
VOID
StopHostListener(
    _Inout_ HOST_LISTENER *Listener)
{
    InterlockedExchange(&Listener->Stopping, 1);
    closesocket(Listener->Socket);
    if (Listener->Thread)
    {
        WaitForSingleObject(Listener->Thread, SILOTEST_WAIT_MS);
        CloseHandle(Listener->Thread);
    }
}

static
NTSTATUS
PrepareNetworkMode(
    _In_ HANDLE Silo,
    _In_opt_ PVOID Context)
{
    return SetNetworkMode(Silo, SILO_NETWORK_CONFIGURATION_VERSION, *(PSILO_NETWORK_MODE)Context, 0);
}

/* Installs TCP/IP from the LiveCD's nettcpip.inf and starts tcpip.sys, whose loopback interface is all the
   tests need; what is there already is left alone */
static
BOOL
InstallNetworkStack(VOID)
{
    WCHAR InfPath[MAX_PATH];
    SC_HANDLE Manager, Service;
    HINF Inf;
    HKEY Component;
    BOOL Done = FALSE;

    if (!ExpandEnvironmentStringsW(NET_STACK_INF, InfPath, ARRAYSIZE(InfPath))) return FALSE;
    Inf = SetupOpenInfFileW(InfPath, NULL, INF_STYLE_WIN4, NULL);
    if (Inf == INVALID_HANDLE_VALUE)
    {
        trace("network-stack: cannot open %ls: error %lu\n", InfPath, GetLastError());
        return FALSE;
    }
    if (RegCreateKeyExW(HKEY_LOCAL_MACHINE, NET_STACK_COMPONENT_KEY, 0, NULL, 0, KEY_ALL_ACCESS, NULL, &Component,
                        NULL) == ERROR_SUCCESS)
    {
        Done = SetupInstallFromInfSectionW(NULL, Inf, NET_STACK_SECTION, SPINST_REGISTRY, Component, NULL, 0, NULL,
                                           NULL, NULL, NULL) &&
               SetupInstallServicesFromInfSectionW(Inf, NET_STACK_SERVICES, 0);
        if (!Done) trace("network-stack: installing %ls failed: error %lu\n", NET_STACK_SECTION, GetLastError());
        RegCloseKey(Component);
    }
    SetupCloseInfFile(Inf);
    if (!Done) return FALSE;

    Done = FALSE;
    Manager = OpenSCManagerW(NULL, NULL, SC_MANAGER_CONNECT);
    if (Manager)
    {
        Service = OpenServiceW(Manager, NET_STACK_SERVICE, SERVICE_START);
        if (Service)
        {
            Done = StartServiceW(Service, 0, NULL) || GetLastError() == ERROR_SERVICE_ALREADY_RUNNING;
            if (!Done) trace("network-stack: starting %ls failed: error %lu\n", NET_STACK_SERVICE, GetLastError());
            CloseServiceHandle(Service);
        }
        CloseServiceHandle(Manager);
    }
    return Done;
}

/* Whether the host's TCP/IP stack came up in time: without it neither mode can show anything */
BOOL
WaitForNetworkStack(VOID)
{
    ULONG Waited;

    if (IsAbsent(OpenTarget(NET_STACK_DEVICE)))
        trace("network-stack: installed=%d\n", InstallNetworkStack());
    for (Waited = 0; IsAbsent(OpenTarget(NET_STACK_DEVICE)); Waited += NET_STACK_POLL_MS)
    {
        if (Waited >= NET_STACK_WAIT_MS)
        {
            ok(FALSE, "no TCP/IP after %lu ms\n", Waited);
            return FALSE;
        }
        Sleep(NET_STACK_POLL_MS);
    }
    trace("network-stack: waited_ms=%lu\n", Waited);
    return TRUE;
}

/* The targets the host reaches (or gets another error than "absent" from): only those prove anything */
static
ULONG
PresentTargets(VOID)
{
    NTSTATUS Status;
    ULONG i, Present = 0;

    for (i = 0; i < NET_TARGETS; i++)
    {
        Status = OpenTarget(NetTargets[i]);
        trace("network target %ls: host 0x%08lx\n", NetTargets[i], Status);
        ok(Status != SILO_NETWORK_DENIED, "the host is refused %ls\n", NetTargets[i]);
        if (!IsAbsent(Status)) Present |= 1UL << i;
    }
    return Present;
}

static
void
TestNetworkInSilo(
    _In_ HANDLE SmPort,
    _In_ SILO_NETWORK_MODE Mode,
    _In_ ULONG Present)
{
    HOST_LISTENER Listener;
    SMSS_SILO Started;
    CHAR Argument[48];
    HANDLE Process = NULL;
    DWORD ExitCode = MAXDWORD;
    LONG Connections;
    NTSTATUS Status;

    if (!StartHostListener(&Listener))
    {
        ok(FALSE, "no host listener: %d\n", WSAGetLastError());
        return;
    }
    Status = StartSmssSiloPrepared(SmPort, PrepareNetworkMode, &Mode, &Started);
    ok(Status == STATUS_SUCCESS, "starting a silo with network mode %d: 0x%08lx\n", Mode, Status);
    if (NT_SUCCESS(Status))
    {
        _snprintf(Argument, sizeof(Argument), "%d:%u:%lu", (int)Mode, Listener.Port, Present);
        Argument[sizeof(Argument) - 1] = ANSI_NULL;
        Status = StartWin32InSilo(&Started, CHILD_MODE_NET_PROBE, Argument, &Process);
        ok(Status == STATUS_SUCCESS, "starting the probe in the silo: 0x%08lx\n", Status);
        if (Process)
        {
            if (WaitForSingleObject(Process, NET_CHILD_TIMEOUT_MS) == WAIT_OBJECT_0)
                GetExitCodeProcess(Process, &ExitCode);
            CloseHandle(Process);
        }
        ok(ExitCode == 0, "network %s: the probe's checks failed: mask 0x%lx\n",
           (Mode == SiloNetworkNone) ? "off" : "on", ExitCode);
    }
    EndSmssSilo(&Started, STATUS_SUCCESS);
    Connections = Listener.Connections;
    StopHostListener(&Listener);

    /* The host's side: a connection came from the silo only when it has the network */
    ok(Connections == ((Mode == SiloNetworkNone) ? 0 : 1), "network %s: the host's listener had %ld connections\n",
       (Mode == SiloNetworkNone) ? "off" : "on", Connections);
    trace("network-silo: mode=%s probe=0x%lx host_connections=%ld targets=0x%lx\n",
          (Mode == SiloNetworkNone) ? "off" : "on", ExitCode, Connections, Present);
}

START_TEST(network)
{
    HOST_LISTENER Listener;
    WSADATA Data;
    HANDLE SmPort;
    ULONG Present;
    DWORD Control;

    ok(EnableTcb(TRUE), "SeTcbPrivilege not available: the silo tests need SYSTEM\n");
    TestNetworkInterface();
    if (!WaitForNetworkStack()) return;
    if (WSAStartup(MAKEWORD(2, 2), &Data) != 0)
    {
        ok(FALSE, "WSAStartup failed on the host\n");
        return;
    }
    Present = PresentTargets();

    /* The control: the same probe on the host, where the network is there */
    if (StartHostListener(&Listener))
    {
        Control = ProbeNetwork(SiloNetworkHost, Listener.Port, Present);
        StopHostListener(&Listener);
        ok(Control == 0, "the probe fails on the host: mask 0x%lx\n", Control);
    }

    if (ConnectToHostSm(&SmPort))
    {
        TestNetworkInSilo(SmPort, SiloNetworkNone, Present);
        TestNetworkInSilo(SmPort, SiloNetworkHost, Present);
        NtClose(SmPort);
    }
    WSACleanup();
}
