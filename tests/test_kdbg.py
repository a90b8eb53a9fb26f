"""How the harness answers ReactOS's critical-object prompt, old and new."""

from __future__ import annotations

from harness.console import ConsoleLine
from harness.grammar import Kind, classify
from harness.kdbg import Action, KdbgDriver


def feed(driver: KdbgDriver, number: int, text: str, prompt: bool = False):
    line = ConsoleLine(number, float(number), text, is_prompt=prompt)
    return driver.on_line(line, list(classify(line)))


def test_the_old_critical_prompt_breaks_in_for_a_backtrace():
    driver = KdbgDriver()
    feed(driver, 1, "Terminating critical process 0x81234567 (csrss.exe)")
    assert feed(driver, 2, "Break, or Ignore (bi)? ", prompt=True).action is Action.NONE
    reply = feed(driver, 3, "kdb:> ", prompt=True)
    assert (reply.action, reply.text) == (Action.TYPE, "b\r")


def test_the_bic_prompt_continues_into_the_host_bugcheck():
    driver = KdbgDriver()
    feed(driver, 1, "Critical  process 0x81234567 (in silotest.exe) exited")
    assert feed(driver, 2, "Break, Ignore, or Continue into bugcheck (bic)? ", prompt=True).action is Action.NONE
    reply = feed(driver, 3, "kdb:> ", prompt=True)
    assert (reply.action, reply.text) == (Action.TYPE, "c\r")


def test_a_contained_silo_critical_exit_is_not_a_host_critical_event():
    line = ConsoleLine(1, 1.0, "Server silo 17 ended by the death of critical process 0x8123ABCD (silotest.exe)")
    kinds = {event.kind: event for event in classify(line)}
    assert Kind.CRITICAL_PROCESS not in kinds
    assert kinds[Kind.SILO_CRITICAL_EXIT].fields == {"silo": "17", "what": "process", "object": "0x8123ABCD",
                                                     "image": "silotest.exe"}
