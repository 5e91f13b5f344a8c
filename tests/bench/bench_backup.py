"""Backup and restore times of the city index (``hub backup`` / ``hub restore``) at scale.

Builds an index of N synthetic documents through the index's own ``insert_document`` (text,
search entry, fingerprint, LSH bands; no page images: their bytes only add copy time at the
throughput printed), then times a backup while nothing writes, and a restore into a fresh
path (both with ``PRAGMA integrity_check``).

    python -m tests.bench.bench_backup [--documents 100000] [--keep /var/tmp/bench-index.db]
"""
from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

WORDS = ("kính gửi ủy ban nhân dân phường quận huyện tôi tên là đề nghị xem xét giải quyết việc "
         "lấn chiếm vỉa hè xây dựng trái phép thửa đất số tờ bản đồ ngõ phố tổ dân phố hộ gia đình "
         "tiếng ồn nước thải đường điện chiếu sáng cấp giấy chứng nhận quyền sử dụng").split()


def build(path: Path, n: int, *, seed: int = 1) -> float:
    """``n`` documents of ~150 words through insert_document, 500 per transaction; seconds."""
    from edge.fingerprint import fingerprint
    from hub.index import open_index
    from hub.index.documents import NewDocument, insert_document

    rng = random.Random(seed)
    t0 = time.perf_counter()
    db = open_index(path)
    for lo in range(0, n, 500):
        with db.conn:
            for i in range(lo, min(n, lo + 500)):
                text = " ".join(rng.choice(WORDS) for _ in range(150)) + f" đơn số {i}"
                insert_document(db, NewDocument(doc_id=f"bench-{i:08d}", source="import", text=text,
                                                fingerprint=fingerprint(text), identity_keys=(),
                                                page_count=1))
        print(f"\r  {min(n, lo + 500):,}/{n:,} documents", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    db.conn.close()
    return time.perf_counter() - t0


def main(argv: list[str] | None = None) -> int:
    """Print the table."""
    from hub.index.backup import backup, restore

    p = argparse.ArgumentParser(prog="python -m tests.bench.bench_backup", description=__doc__.split("\n")[0])
    p.add_argument("--documents", type=int, default=100_000)
    p.add_argument("--keep", type=Path, help="build the index here once and reuse it on later runs")
    args = p.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="donthu-bench-backup-"))
    index = args.keep or work / "index.db"
    built = build(index, args.documents) if not index.exists() else 0.0
    size_mb = index.stat().st_size / 1e6
    b = backup(index, work / "backup.db")
    r = restore(b.path, work / "restored" / "index.db")
    print("| documents | index MB | build s | backup s | backup MB/s | restore s |")
    print("|---:|---:|---:|---:|---:|---:|")
    print(f"| {b.documents:,} | {size_mb:,.0f} | {built:.0f} | {b.seconds:.1f} | "
          f"{b.size_bytes / 1e6 / b.seconds:,.0f} | {r.seconds:.1f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
