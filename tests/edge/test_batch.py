"""A batch of pages: every page once, results in input order, the largest waiting page read first."""
from __future__ import annotations

import threading
import time

import pytest

from edge.batch import largest, process_batch
from edge.pipeline import Page, PageFailed, PipelineContext

CTX = PipelineContext()


def prepared(name: str, width: int, height: int = 100, *, blank: bool = False) -> Page:
    return Page(source=name, raw=b"", width=width, height=height, blank=blank)


def test_largest_waiting_page_goes_first():
    pages = [prepared("a", 100), prepared("b", 900), prepared("c", 2000, blank=True),
             prepared("d", 900)]
    assert largest(pages) == 1  # blank pages have nothing to read; equals keep their order
    assert largest(pages[:1]) == 0


def fake_start(raw: bytes, *, source: str, ctx: PipelineContext) -> Page | PageFailed:
    if raw == b"bad":
        return PageFailed(source, "", "image_invalid", "not an image", "Ảnh hỏng.", {})
    return prepared(source, int(raw))


@pytest.mark.parametrize("workers", [1, 2, 3])
def test_every_page_once_in_input_order(workers):
    files = {f"p{i}": str(100 + 37 * (i % 5)).encode() for i in range(12)}
    files["p4"] = b"bad"
    read_order, ocr_order = [], []
    lock = threading.Lock()

    def read(name: str) -> bytes:
        if name == "p7":
            raise FileNotFoundError(2, "No such file or directory", name)
        read_order.append(name)
        return files[name]

    def finish(page: Page, ctx: PipelineContext) -> Page:
        time.sleep(0.002 * page.width / 100)
        with lock:
            ocr_order.append(page.source)
        return Page(source=page.source, raw=b"", text=f"text of {page.source}")

    out = list(process_batch(list(files), read, ctx=CTX, workers=workers, finish=finish,
                             start=fake_start))
    assert [item for item, _ in out] == list(files)
    assert read_order == [name for name in files if name != "p7"]  # imaging goes in order
    assert isinstance(out[7][1], FileNotFoundError)
    assert isinstance(out[4][1], PageFailed) and out[4][1].code == "image_invalid"
    assert all(res.text == f"text of {item}" for item, res in out if isinstance(res, Page))
    assert sorted(ocr_order) == sorted(set(files) - {"p4", "p7"})


def test_a_bug_in_a_stage_is_raised_not_swallowed():
    def finish(page: Page, ctx: PipelineContext) -> Page:
        raise ZeroDivisionError("bug")

    with pytest.raises(ZeroDivisionError):
        list(process_batch(["a", "b"], lambda name: b"100", ctx=CTX, workers=2, finish=finish,
                           start=fake_start))


def test_stopping_early_leaves_no_thread_behind():
    before = threading.active_count()
    pages = process_batch([f"p{i}" for i in range(50)], lambda name: b"100", ctx=CTX, workers=2,
                          start=fake_start, finish=lambda page, ctx: page)
    assert next(pages)[0] == "p0"
    pages.close()
    assert threading.active_count() == before


def test_a_short_page_is_not_left_to_the_end():
    """Full pages keep coming; the short second page is still read within a few pages."""
    sizes = [900, 100] + [900] * 30
    ocr_order = []

    def finish(page: Page, ctx: PipelineContext) -> Page:
        time.sleep(0.002)
        ocr_order.append(page.source)
        return page

    out = list(process_batch([f"p{i}" for i in range(len(sizes))],
                             lambda name: str(sizes[int(name[1:])]).encode(), ctx=CTX, workers=1,
                             start=fake_start, finish=finish))
    assert len(out) == len(sizes)
    assert ocr_order.index("p1") <= 2 + 2 * 3
