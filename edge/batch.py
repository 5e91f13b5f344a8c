"""A batch of pages on all cores: imaging runs ahead of OCR, and OCR takes the largest page first.

One thread runs the imaging stages page after page, at most ``lookahead`` pages ahead of OCR;
``workers`` threads each run one Tesseract at a time on a prepared page. So a Tesseract never
waits for the imaging of its next page (~70 ms), and among the pages prepared and waiting the
one with the most to read goes first: a short last page of a letter fills the end of the batch
instead of a full page running alone on one core while the others idle. Results come back in
the order of the input, whatever order they were read in. One imaging thread (~70 ms a page)
keeps ~10 Tesseracts (~1 s a page) busy.
"""
from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TypeVar

from edge.pipeline import Page, PageFailed, PipelineContext, finish_page, start_page

Item = TypeVar("Item")
Result = Page | PageFailed | OSError

# Pages prepared and waiting for OCR at most: enough to choose from at the end of a batch; each
# holds its straightened page and the binarized copy (~13 MB at 300 dpi).
LOOKAHEAD = 3
# A page is passed over by at most this many later pages, so a short page in a long run of full
# ones is not left to the end (its result, and every one after it, would wait for it).
MAX_PASSED = 2 * LOOKAHEAD


def ocr_work(page: Page) -> int:
    """How much Tesseract has to do on a prepared page: its pixel area (blank pages: nothing).

    On the petition benchmark, OCR time follows the cropped page area closely (r = 0.99).
    """
    return 0 if page.blank else page.width * page.height


def largest(pages: Iterable[Page]) -> int:
    """Index of the page with the most OCR work (the first of equals)."""
    work = [ocr_work(page) for page in pages]
    return work.index(max(work))


def process_batch(
    items: Sequence[Item], read: Callable[[Item], bytes], *, ctx: PipelineContext, workers: int,
    lookahead: int = LOOKAHEAD, source: Callable[[Item], str] = str,
    start: Callable[..., Page | PageFailed] = start_page,
    finish: Callable[[Page, PipelineContext], Page | PageFailed] = finish_page,
) -> Iterator[tuple[Item, Result]]:
    """Process every item (``read`` gives its image bytes); yield (item, result) in input order.

    An item that cannot be read comes back as its OSError, a page that fails as PageFailed.
    """
    if workers < 1 or lookahead < 1:
        raise ValueError("workers and lookahead must be at least 1")
    n = len(items)
    results: list[Result | None] = [None] * n
    waiting: list[tuple[int, Page]] = []  # prepared, not yet taken by an OCR worker
    cond = threading.Condition()
    state = {"imaged": 0, "stop": False}
    crashed: list[BaseException] = []

    def imaging() -> None:
        for i, item in enumerate(items):
            with cond:
                cond.wait_for(lambda: len(waiting) < lookahead or state["stop"])
                if state["stop"]:
                    return
            res: Result
            try:
                raw = read(item)
            except OSError as e:
                res = e
            else:
                res = start(raw, source=source(item), ctx=ctx)
                del raw  # the page holds it until decoded, then lets it go
            with cond:
                if isinstance(res, Page):
                    waiting.append((i, res))
                else:
                    results[i] = res
                state["imaged"] = i + 1
                cond.notify_all()

    def ocr() -> None:
        while True:
            with cond:
                cond.wait_for(lambda: waiting or state["imaged"] == n or state["stop"])
                if not waiting or state["stop"]:
                    return
                oldest = min(range(len(waiting)), key=lambda j: waiting[j][0])
                if state["imaged"] - waiting[oldest][0] > MAX_PASSED:  # it has waited long enough
                    i, page = waiting.pop(oldest)
                else:
                    i, page = waiting.pop(largest(page for _, page in waiting))
                cond.notify_all()
            res = finish(page, ctx)
            del page
            with cond:
                results[i] = res
                cond.notify_all()

    def guarded(body: Callable[[], None]) -> Callable[[], None]:
        def run() -> None:
            try:
                body()
            except BaseException as e:  # a bug, not a page: stop everything and raise it below
                with cond:
                    crashed.append(e)
                    state["stop"] = True
                    cond.notify_all()
        return run

    threads = [threading.Thread(target=guarded(imaging), name="imaging", daemon=True)]
    threads += [threading.Thread(target=guarded(ocr), name=f"ocr-{k}", daemon=True)
                for k in range(min(workers, max(1, n)))]
    for t in threads:
        t.start()
    try:
        for i, item in enumerate(items):
            with cond:
                cond.wait_for(lambda i=i: results[i] is not None or crashed)
                if crashed:
                    raise crashed[0]
                res, results[i] = results[i], None
            yield item, res
    finally:
        with cond:
            state["stop"] = True
            cond.notify_all()
        for t in threads:
            t.join()
