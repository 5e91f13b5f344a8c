"""Writes the frozen corpora: ``python -m tests.bench.independent.generate --out DIR``.

The output is bit-identical for the same code (gzip without a time stamp or file name).
"""
from __future__ import annotations

import argparse
import gzip
import hashlib
import io
import json
from pathlib import Path

from . import CORPORA
from .assemble import build


def jsonl_bytes(docs: list[dict]) -> bytes:
    """The documents as UTF-8 JSON lines (keys sorted)."""
    return "".join(json.dumps(d, ensure_ascii=False, sort_keys=True) + "\n" for d in docs).encode()


def gz(data: bytes) -> bytes:
    """Gzip with a fixed header, so the same data always gives the same bytes."""
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, compresslevel=9, mtime=0) as f:
        f.write(data)
    return buf.getvalue()


def corpus_files(name: str) -> dict[str, bytes]:
    """The two files of one corpus, by file name."""
    docs, labels = build(name)
    return {f"{name}.jsonl.gz": gz(jsonl_bytes(docs)),
            f"{name}.labels.json": (json.dumps(labels, ensure_ascii=False, indent=1) + "\n").encode()}


def write(out: Path, names: tuple[str, ...] = CORPORA) -> list[Path]:
    """Write the corpora and their ``FROZEN.sha256`` manifest into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    manifest, paths = [], []
    for name in names:
        for fname, data in corpus_files(name).items():
            (out / fname).write_bytes(data)
            manifest.append(f"{hashlib.sha256(data).hexdigest()}  {fname}\n")
            paths.append(out / fname)
    (out / "FROZEN.sha256").write_text("".join(manifest), encoding="utf-8")
    return paths


def main(argv: list[str] | None = None) -> int:
    """Command line."""
    ap = argparse.ArgumentParser(prog="python -m tests.bench.independent.generate",
                                 description="Regenerate the frozen independent corpora.")
    ap.add_argument("--out", required=True, type=Path, help="directory to write into")
    args = ap.parse_args(argv)
    for p in write(args.out):
        print(p)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
