"""ReactOS's own test programs, run and judged like the silo tests (issue 15, item 7).

They are on a LiveCD only when it was built with ``ENABLE_ROSTESTS`` (``%SystemRoot%\\bin``): on an
image without them each test is reported as missing, never passed. They are tagged ``rostests`` and
run by name only.

ReactOS's copies of Wine's tests keep failures unrelated to jobs; these scenarios judge the job
tests alone through a focus (see harness/focus.py): the source lines of the job-object tests in the
files at ``reactos-patches/BASE``. The failures elsewhere in the file are kept in the report.
"""

# kernel32_winetest process runs every process test of the file, several minutes under TCG
ROSTEST_TIMEOUT_S = 900

SCENARIOS = [
    dict(name="rostest-kernel32-jobs",
         description="Wine's kernel32 process tests (kernel32_winetest process), judged on the job-object "
                     "tests: test_completion ... test_BreakawayOk (process.c:2389-3034)",
         tests=("kernel32_winetest:process",),
         focus={"kernel32_winetest:process": ("process.c:2389-3034",)},
         own_boot=True, issue="15", tags=("rostests",), test_timeout_s=ROSTEST_TIMEOUT_S),
    dict(name="rostest-ntdll-jobs",
         description="Wine's ntdll object tests (ntdll_winetest om), judged on their job-object checks: "
                     "naming a job at creation and open (om.c:430-433, 541-548, 644-648)",
         tests=("ntdll_winetest:om",),
         focus={"ntdll_winetest:om": ("om.c:430-433", "om.c:541-548", "om.c:644-648")},
         own_boot=True, issue="15", tags=("rostests",), test_timeout_s=ROSTEST_TIMEOUT_S),
]
