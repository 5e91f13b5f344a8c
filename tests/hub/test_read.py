"""The ingester's message reader: a helper process reads messages; order and content are kept,
and the writer reads them itself when the helper is not there."""
from __future__ import annotations

import os
import signal
import threading
import time

import numpy as np

from edge.wire import topic
from hub.ingest.read import Reader, parse
from tests.hub.test_ingest import doc_message


def _messages(n: int) -> list[tuple[str, bytes]]:
    out = []
    for i in range(n):
        doc, page = doc_message(device=f"k{i % 3:02d}")
        out += [(topic(doc.device_id, "page"), page.to_json()), (topic(doc.device_id, "doc"), doc.to_json())]
    out.insert(3, (topic("k01", "doc"), b"{not json"))
    out.insert(7, (topic("k02", "doc"), doc_message(device="k01")[0].to_json()))  # another kiosk's prefix
    return out


def _same(a, b) -> bool:
    if a.msg != b.msg or a.error != b.error or a.text_fold != b.text_fold:
        return False
    return (a.shingles is None) == (b.shingles is None) and (a.shingles is None or np.array_equal(a.shingles, b.shingles))


def _run(messages, *, kill_after: int | None = None):
    got: list = []
    done = threading.Event()

    def deliver(token, parsed):
        got.append((token, parsed))
        if len(got) == len(messages):
            done.set()

    reader = Reader(deliver)
    reader.start()
    assert reader._ready.wait(60), "the helper process did not start"
    for i, (t, p) in enumerate(messages):
        if i == kill_after:
            os.kill(reader._proc.pid, signal.SIGKILL)
            time.sleep(0.2)
        reader.submit(i, t, p)
    assert done.wait(60), f"{len(got)} of {len(messages)} messages handed on"
    reader.stop()
    return got


def test_helper_reads_messages_in_order_as_the_writer_would():
    messages = _messages(40)
    got = _run(messages)
    assert [token for token, _ in got] == list(range(len(messages)))
    assert all(parsed is not None for _, parsed in got)
    for (t, p), (_, parsed) in zip(messages, got, strict=True):
        assert _same(parsed, parse(t, p))
    assert "not UTF-8 JSON" in got[3][1].error and got[3][1].payload == messages[3][1]
    assert "published under" in got[7][1].error
    assert got[1][1].payload == b"" and got[1][1].shingles is not None  # a document: read, folded, shingled


def test_a_dead_helper_loses_nothing_and_keeps_the_order():
    messages = _messages(60)
    got = _run(messages, kill_after=50)
    assert [token for token, _ in got] == list(range(len(messages)))
    # What the helper had not answered, and everything after, is left for the writer to read.
    assert got[-1][1] is None
    assert all(parsed is None for _, parsed in got[got.index(next(g for g in got if g[1] is None)):])
