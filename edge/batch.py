"""The one page scheduler, used by the appliance and by ``edge process``: imaging runs ahead of OCR,
and OCR takes the largest prepared page first.

Every thread that serves pages calls ``PageScheduler.step`` again and again; each call does one
piece of work. One thread at a time images the next page (in arrival order) while fewer than
``lookahead`` prepared pages wait; the others each run one Tesseract on a prepared page. So a
Tesseract never waits for the imaging of its next page (~70 ms), and among the pages prepared
and waiting the one with the most to read goes first: a short last page of a letter fills the
end of a batch instead of a full page running alone on one core while the others idle. One
imaging step (~70 ms a page) keeps ~10 Tesseracts (~1 s a page) busy.

The appliance's page workers step it with pages claimed from the spool; ``process_batch`` steps
it with a list of files and gives the results back in input order.
"""
from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from typing import Generic, TypeVar

from edge.pipeline import Page, PageFailed, PipelineContext, finish_page, start_page

Item = TypeVar("Item")
# A page that could not be read from its source comes back as its OSError; a stage that raised
# something else (a bug, a library crash) as that exception, for the caller to decide.
Result = Page | PageFailed | Exception

# Pages prepared and waiting for OCR at most: enough to choose from at the end of a batch; each
# holds its straightened page and the binarized copy (~13 MB at 300 dpi).
LOOKAHEAD = 3
# A page is passed over by at most this many later pages, so a short page in a long run of full
# ones is not left to the end (its result, and every one after it, would wait for it).
MAX_PASSED = 2 * LOOKAHEAD
# What step() returns when it prepared a page (its result comes from a later step).
IMAGED = "imaged"


def ocr_work(page: Page) -> int:
    """How much Tesseract has to do on a prepared page: its pixel area (blank pages: nothing).

    On the petition benchmark, OCR time follows the cropped page area closely (r = 0.99).
    """
    return 0 if page.blank else page.width * page.height


def largest(pages: Sequence[Page]) -> int:
    """Index of the page with the most OCR work (the first of equals)."""
    work = [ocr_work(page) for page in pages]
    return work.index(max(work))


class PageScheduler(Generic[Item]):
    """Pages from ``claim`` (None: none now) through imaging, then OCR, a step per call."""

    def __init__(self, claim: Callable[[], Item | None], read: Callable[[Item], bytes], *,
                 source: Callable[[Item], str] = str, lookahead: int = LOOKAHEAD,
                 start: Callable[..., Page | PageFailed] = start_page,
                 finish: Callable[[Page, PipelineContext], Page | PageFailed] = finish_page) -> None:
        if lookahead < 1:
            raise ValueError("lookahead must be at least 1")
        self._claim, self._read, self._source = claim, read, source
        self._start, self._finish, self._lookahead = start, finish, lookahead
        self._cond = threading.Condition()
        self._waiting: list[tuple[int, Item, Page]] = []  # (imaged order, item, prepared page)
        self._imaging = False
        self._imaged = 0
        self._closed = False

    def close(self) -> None:
        """Stop handing out work; threads waiting in ``step`` return None."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    def waiting(self) -> int:
        """Prepared pages waiting for OCR."""
        with self._cond:
            return len(self._waiting)

    def step(self, ctx: PipelineContext) -> tuple[Item, Result] | str | None:
        """Do one piece of work: (item, result) when an item is finished, IMAGED, or None if idle."""
        with self._cond:
            while True:
                if self._closed:
                    return None
                if not self._imaging and len(self._waiting) < self._lookahead:
                    self._imaging = True
                    break  # image the next page, if there is one
                if self._waiting:
                    return self._read_one(self._take(), ctx)
                if not self._imaging:
                    return None
                self._cond.wait()  # the imaging step will bring a page (or the news there is none)
        try:
            item = self._claim()
        except BaseException:
            self._imaging_done()
            raise
        if item is None:
            self._imaging_done()
            with self._cond:
                if self._waiting and not self._closed:
                    return self._read_one(self._take(), ctx)
            return None
        try:
            res: Result = self._start(self._read(item), source=self._source(item), ctx=ctx)
        except Exception as e:  # an unreadable file (OSError) or a bug: this item's result
            res = e
        with self._cond:
            self._imaging = False
            if isinstance(res, Page):
                self._waiting.append((self._imaged, item, res))
            self._imaged += 1
            self._cond.notify_all()
        return IMAGED if isinstance(res, Page) else (item, res)

    def _imaging_done(self) -> None:
        with self._cond:
            self._imaging = False
            self._cond.notify_all()

    def _take(self) -> tuple[Item, Page]:
        """The page to read next (under the lock): the largest, unless one has waited too long."""
        oldest = min(range(len(self._waiting)), key=lambda j: self._waiting[j][0])
        if self._imaged - 1 - self._waiting[oldest][0] > MAX_PASSED:
            j = oldest
        else:
            j = largest([page for _, _, page in self._waiting])
        _, item, page = self._waiting.pop(j)
        self._cond.notify_all()
        return item, page

    def _read_one(self, taken: tuple[Item, Page], ctx: PipelineContext) -> tuple[Item, Result]:
        """OCR a taken page outside the lock (called with it held: released around the work)."""
        item, page = taken
        self._cond.release()
        try:
            try:
                res: Result = self._finish(page, ctx)
            except Exception as e:
                res = e
            del page
            return item, res
        finally:
            self._cond.acquire()


def process_batch(
    items: Sequence[Item], read: Callable[[Item], bytes], *, ctx: PipelineContext, workers: int,
    lookahead: int = LOOKAHEAD, source: Callable[[Item], str] = str,
    start: Callable[..., Page | PageFailed] = start_page,
    finish: Callable[[Page, PipelineContext], Page | PageFailed] = finish_page,
) -> Iterator[tuple[Item, Page | PageFailed | OSError]]:
    """Process every item (``read`` gives its image bytes); yield (item, result) in input order.

    An item that cannot be read comes back as its OSError, a page that fails as PageFailed; a
    bug in a stage stops the batch and is raised here.
    """
    if workers < 1:
        raise ValueError("workers must be at least 1")
    n = len(items)
    queue = iter(range(n))
    sched: PageScheduler[int] = PageScheduler(
        lambda: next(queue, None), lambda i: read(items[i]), source=lambda i: source(items[i]),
        lookahead=lookahead, start=start, finish=finish)
    results: list[Result | None] = [None] * n
    cond = threading.Condition()
    crashed: list[BaseException] = []

    def serve() -> None:
        try:
            while True:
                out = sched.step(ctx)
                if out is None:
                    return
                if out == IMAGED:
                    continue
                i, res = out
                if isinstance(res, Exception) and not isinstance(res, OSError):
                    raise res
                with cond:
                    results[i] = res
                    cond.notify_all()
        except BaseException as e:  # a bug, not a page: stop everything and raise it below
            with cond:
                crashed.append(e)
                cond.notify_all()
            sched.close()

    threads = [threading.Thread(target=serve, name=f"page-{k}", daemon=True)
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
            yield item, res  # type: ignore[misc]
    finally:
        sched.close()
        for t in threads:
            t.join()
