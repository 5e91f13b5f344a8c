"""A seeded random source that only relies on ``random.Random.random()``.

Python guarantees that ``random()`` gives the same sequence for the same seed across versions;
``choice``/``shuffle``/``randint`` carry no such promise, so they are rebuilt here on top of it.
"""
from __future__ import annotations

import hashlib
import random
from collections.abc import Sequence
from typing import TypeVar

T = TypeVar("T")


def seed_of(*parts: object) -> int:
    """A stable integer seed from any printable parts (never Python's salted ``hash``)."""
    raw = "\x1f".join(str(p) for p in parts).encode("utf-8")
    return int.from_bytes(hashlib.sha256(raw).digest()[:8], "big")


class Rng:
    """Deterministic draws for the generator."""

    def __init__(self, *seed_parts: object) -> None:
        self._r = random.Random(seed_of(*seed_parts))

    def random(self) -> float:
        """A float in [0, 1)."""
        return self._r.random()

    def chance(self, p: float) -> bool:
        """True with probability ``p``."""
        return self._r.random() < p

    def below(self, n: int) -> int:
        """An integer in [0, n)."""
        return min(n - 1, int(self._r.random() * n))

    def randint(self, lo: int, hi: int) -> int:
        """An integer in [lo, hi], both ends included."""
        return lo + self.below(hi - lo + 1)

    def uniform(self, lo: float, hi: float) -> float:
        """A float in [lo, hi)."""
        return lo + (hi - lo) * self._r.random()

    def choice(self, seq: Sequence[T]) -> T:
        """One element of a non-empty sequence."""
        return seq[self.below(len(seq))]

    def weighted(self, items: Sequence[tuple[T, float]]) -> T:
        """One element drawn with the given weights."""
        total = sum(w for _, w in items)
        x = self._r.random() * total
        for item, w in items:
            x -= w
            if x < 0:
                return item
        return items[-1][0]

    def shuffle(self, seq: list[T]) -> list[T]:
        """Shuffle in place (Fisher-Yates) and return the list."""
        for i in range(len(seq) - 1, 0, -1):
            j = self.below(i + 1)
            seq[i], seq[j] = seq[j], seq[i]
        return seq

    def sample(self, seq: Sequence[T], k: int) -> list[T]:
        """``k`` distinct elements in random order."""
        pool = list(seq)
        self.shuffle(pool)
        return pool[:k]

    def digits(self, n: int) -> str:
        """A string of ``n`` random decimal digits."""
        return "".join(str(self.below(10)) for _ in range(n))

    def fork(self, *parts: object) -> Rng:
        """An independent stream named by ``parts`` (draws here do not shift it)."""
        return Rng(self._r.random(), *parts)
