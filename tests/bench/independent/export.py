"""Writes one corpus as UTF-8 text files: ``python -m tests.bench.independent.export NAME DIR``.

One file per document, named ``<doc_id>.txt``, for tools that only read files.
"""
from __future__ import annotations

import argparse
from pathlib import Path

from . import CORPORA, Corpus, load_corpus


def export(corpus: Corpus, out: Path) -> list[Path]:
    """Write every document's text; returns the paths in order of receipt."""
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for d in corpus.docs:
        p = out / f"{d.doc_id}.txt"
        p.write_text(d.text, encoding="utf-8")
        paths.append(p)
    return paths


def main(argv: list[str] | None = None) -> int:
    """Command line."""
    ap = argparse.ArgumentParser(prog="python -m tests.bench.independent.export",
                                 description="Write one corpus as .txt files.")
    ap.add_argument("name", choices=CORPORA)
    ap.add_argument("dir", type=Path)
    args = ap.parse_args(argv)
    paths = export(load_corpus(args.name), args.dir)
    print(f"{len(paths)} files in {args.dir}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
