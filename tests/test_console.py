from harness.console import LineSplitter, split_log


def test_lines_complete_at_newline_and_carriage_returns_are_dropped():
    splitter = LineSplitter()
    assert splitter.feed(b"first\r\nsec", 1.0)[0].text == "first"
    lines = splitter.feed(b"ond\n", 2.0)
    assert [(l.number, l.text, l.time) for l in lines] == [(2, "second", 2.0)]


def test_a_kdbg_prompt_is_released_without_a_newline():
    splitter = LineSplitter()
    lines = splitter.feed(b"Entered debugger on embedded INT3 at 0x0008:0x80001234.\nkdb:> ", 0.0)
    assert lines[-1].text == "kdb:> " and lines[-1].is_prompt


def test_the_assertion_and_pager_prompts_are_released_too():
    splitter = LineSplitter()
    lines = splitter.feed(b"Break repeatedly, break Once, Ignore, terminate Process or terminate Thread (boipt)? ", 0)
    lines += splitter.feed(b"--- Press q to abort, any other key to continue ---", 0)
    assert [l.is_prompt for l in lines] == [True, True]


def test_invalid_bytes_are_replaced_not_fatal():
    assert split_log(b"bad \xff\xfe byte\n")[0].text == "bad \ufffd\ufffd byte"


def test_a_utf8_sequence_split_across_chunks_is_kept_whole():
    splitter = LineSplitter()
    assert splitter.feed("caf\u00e9".encode()[:-1], 0) == []
    assert splitter.feed("\u00e9\n".encode()[-2:], 0)[0].text == "caf\u00e9"


def test_an_endless_line_is_cut_so_memory_stays_bounded():
    lines = LineSplitter().feed(b"x" * 10000, 0)
    assert len(lines) == 2 and all(len(l.text) == 4096 for l in lines)


def test_an_unterminated_last_line_is_kept_at_end_of_log():
    assert [l.text for l in split_log(b"a\nb")] == ["a", "b"]
