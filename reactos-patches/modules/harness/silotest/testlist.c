/*
 * PROJECT:     ReactOS server-silo test harness
 * LICENSE:     GPL-2.0-or-later (https://spdx.org/licenses/GPL-2.0-or-later)
 * PURPOSE:     Test list of the silo tests
 * COPYRIGHT:   Copyright 2026 ReactOS server-silo project contributors
 */

#define STANDALONE
#include <wine/test.h>

extern void func_bench(void);
extern void func_child(void);
extern void func_contain(void);
extern void func_csrss(void);
extern void func_csrsssoak(void);
extern void func_ddi(void);
extern void func_devices(void);
extern void func_density(void);
extern void func_escape(void);
extern void func_fuzz(void);
extern void func_hostcritical(void);
extern void func_hostshutdown(void);
extern void func_jobs(void);
extern void func_limits(void);
extern void func_namespace(void);
extern void func_network(void);
extern void func_objects(void);
extern void func_prisonbomb(void);
extern void func_prisoncpu(void);
extern void func_prisonguikill(void);
extern void func_prisonescape(void);
extern void func_prisonguard(void);
extern void func_prisonmemory(void);
extern void func_prisonmessages(void);
extern void func_racechurn(void);
extern void func_raceinit(void);
extern void func_racekill(void);
extern void func_racelimits(void);
extern void func_racelookup(void);
extern void func_racemonitor(void);
extern void func_racetree(void);
extern void func_registrymode(void);
extern void func_smss(void);
extern void func_soak(void);
extern void func_win32handles(void);
extern void func_workspace(void);

const struct test winetest_testlist[] =
{
    { "bench", func_bench },
    { "child", func_child },
    { "contain", func_contain },
    { "csrss", func_csrss },
    { "csrsssoak", func_csrsssoak },
    { "ddi", func_ddi },
    { "devices", func_devices },
    { "density", func_density },
    { "escape", func_escape },
    { "fuzz", func_fuzz },
    { "hostcritical", func_hostcritical },
    { "hostshutdown", func_hostshutdown },
    { "jobs", func_jobs },
    { "limits", func_limits },
    { "namespace", func_namespace },
    { "network", func_network },
    { "objects", func_objects },
    { "prisonbomb", func_prisonbomb },
    { "prisoncpu", func_prisoncpu },
    { "prisonguikill", func_prisonguikill },
    { "prisonescape", func_prisonescape },
    { "prisonguard", func_prisonguard },
    { "prisonmemory", func_prisonmemory },
    { "prisonmessages", func_prisonmessages },
    { "racechurn", func_racechurn },
    { "raceinit", func_raceinit },
    { "racekill", func_racekill },
    { "racelimits", func_racelimits },
    { "racelookup", func_racelookup },
    { "racemonitor", func_racemonitor },
    { "racetree", func_racetree },
    { "registrymode", func_registrymode },
    { "smss", func_smss },
    { "soak", func_soak },
    { "win32handles", func_win32handles },
    { "workspace", func_workspace },
    { 0, 0 }
};
