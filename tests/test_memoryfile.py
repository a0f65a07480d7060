"""The in-place reader of index parts behaves as the BytesIO it replaces, on every call Whoosh makes."""

from __future__ import annotations

import io
import random

from outillerie.search.memoryfile import MemoryReader


def test_reads_seeks_and_lines_match_bytesio_at_random() -> None:
    data = bytes(range(256)) * 10 + b"line1\nline2\n" + b"x" * 3000 + b"\nend"
    ours, theirs = MemoryReader(memoryview(data)), io.BytesIO(data)
    draw = random.Random(13)
    for _ in range(5000):
        operation = draw.choice(["read", "readline", "seek", "read all"])
        if operation == "read":
            size = draw.choice([0, 1, 4, 8, 50, 5000, -1])
            assert ours.read(size) == theirs.read(size)
        elif operation == "readline":
            size = draw.choice([-1, 3, 10, 2000])
            assert ours.readline(size) == theirs.readline(size)
        elif operation == "seek":
            whence = draw.choice([0, 1, 2])
            position = {0: draw.randint(0, len(data) + 10), 1: draw.randint(-ours.tell(), 100),
                        2: draw.randint(-len(data), 10)}[whence]
            assert ours.seek(position, whence) == theirs.seek(position, whence)
        elif draw.random() < 0.05:
            assert ours.read() == theirs.read()
        assert ours.tell() == theirs.tell()


def test_past_the_end_nothing_is_read_and_the_position_stays() -> None:
    ours, theirs = MemoryReader(memoryview(b"abc")), io.BytesIO(b"abc")
    assert ours.seek(10) == theirs.seek(10) == 10
    assert ours.read(4) == theirs.read(4) == b""
    assert ours.readline() == theirs.readline() == b""
    assert ours.tell() == theirs.tell() == 10
