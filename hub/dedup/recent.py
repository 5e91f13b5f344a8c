"""What the ingester derives from stored texts, kept for the most recent documents."""
from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable

import numpy as np

from edge.fingerprint.minhash import shingles_of_fold


class Recent:
    """A small LRU of what verification derives from a stored text (shingles, numbers).

    A document that looks like many others is verified again and again as later documents
    arrive; keeping its derived sets for the most recent ``size`` documents saves re-reading
    and re-shingling its text. Bounded, so the hub's memory does not grow with the index.
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[tuple, object] = OrderedDict()

    def get(self, key: tuple, make):
        try:
            self._items.move_to_end(key)
            return self._items[key]
        except KeyError:
            value = make()
            self.put(key, value)
            return value

    def put(self, key: tuple, value) -> None:
        self._items[key] = value
        self._items.move_to_end(key)
        if len(self._items) > self.size:
            self._items.popitem(last=False)


# Shingles of the most recent texts, and (apart, so that neither crowds out the other) the
# same weighted by the current boilerplate; what only one citizen's letters need (passages,
# numbers, digit runs, and what the scoring model's features read: noise, name, reflow) is
# kept for fewer: about 400 documents' worth (each document has up to ten such entries).
recent = Recent(4096)
weighted = Recent(4096)
derived = Recent(4096)


def shingles(text_sha256: str | None, folded: Callable[[], str | None]) -> np.ndarray:
    """A stored text's shingles from its search form (read by ``folded`` only when not kept),
    kept by the hash of its fingerprint text, which alone decides them."""
    if not text_sha256:
        return shingles_of_fold(folded() or "")
    return recent.get(("codes", text_sha256), lambda: shingles_of_fold(folded() or ""))


def remember_shingles(text_sha256: str, codes: np.ndarray) -> None:
    """Keep shingles made elsewhere (the ingester's reader) for the text with this hash."""
    if text_sha256:
        recent.put(("codes", text_sha256), codes)
