"""Page-load benchmark of the operator panel on a year-and-a-half of petitions.

    python -m tests.bench.bench_panel                  # 100,000 documents (built once, cached)
    python -m tests.bench.bench_panel --docs 20000 --repeat 10
    python -m tests.bench.bench_panel --rebuild        # build the index anew

The index is built through the index's own functions (``insert_document``, ``match_document``,
the case store) from synthetic Vietnamese petitions (``samplegen``): 2,000 distinct letters
with real fingerprints, each sent by many different petitioners (name, CCCD, phone, address
replaced; the letter keeps its base letter's signature, which no page reads), spread over a
year across 12 kiosks and imports, with their fields (petitioner, kind, subject, letter date);
1 in 100 matters is re-sent 2-4 times as copies matched for real (the review queue), a tenth
of those resolved with a case, and a few later copies of resolved matters (re-submissions).
The built index is kept under ``/var/tmp`` (by size and seed).

Each page is requested through the panel's WSGI app (Flask test client, signed in; rendering
included, network excluded) ``--repeat`` times after one warm-up; p50 and p95 in ms.
Target: 200 ms or less each.
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

BASES = 2000
KIOSKS = [f"k{n:02d}" for n in range(1, 13)]
KIND_WORDS = {"khieu_nai": "khiếu nại", "to_cao": "tố cáo", "kien_nghi": "kiến nghị", "phan_anh": "phản ánh"}
PASSWORD = "mat-khau-bench-1"


def _phone_key(phone: str) -> str:
    return "+84" + phone[1:] if phone.startswith("0") else phone


def build(path: Path, docs: int, seed: int) -> None:
    """Write an index of ``docs`` petitions at ``path`` (see the module docstring)."""
    from edge.fingerprint import fingerprint
    from edge.fingerprint.identity import identity_keys
    from hub.cases import assign, new_case_ref, set_status
    from hub.dedup import match_document
    from hub.dedup.review import confirm_group
    from hub.index import open_index
    from hub.index.documents import NewDocument, insert_document
    from hub.panel.users import create_user
    from samplegen.people import citizen
    from samplegen.petition import make_petition

    rng = random.Random(seed)
    t0 = time.perf_counter()
    bases = []
    for _ in range(BASES):
        p = make_petition(rng)
        bases.append((p, fingerprint(p.text), identity_keys(p.text)))
    print(f"  {BASES} base letters fingerprinted in {time.perf_counter() - t0:.0f} s", flush=True)
    db = open_index(path)
    start = datetime.now(UTC) - timedelta(days=540)
    step = timedelta(days=540) / docs
    fields, pages, when, seq = [], [], [], {}
    copies: list[tuple[str, object, str]] = []
    t0 = time.perf_counter()
    with db.conn:
        for i in range(docs):
            p, fp, keys = bases[i % BASES] if i >= BASES else bases[i]
            c = citizen(rng)
            text = (p.text.replace(p.name, c.name).replace(p.cccd, c.id_number).replace(p.phone, c.phone))
            keys = tuple(k.replace(p.cccd, c.id_number).replace(_phone_key(p.phone), _phone_key(c.phone))
                         for k in keys)
            doc_id = f"{rng.getrandbits(128):032x}"
            kiosk = rng.choice(KIOSKS) if rng.random() < 0.85 else ""
            at = start + step * i
            day = at.strftime("%d%m%y")
            seq[(kiosk, day)] = seq.get((kiosk, day), 0) + 1
            ref = f"{(kiosk or 'imp').upper()}-{day}-{seq[(kiosk, day)]:04d}"
            insert_document(db, NewDocument(doc_id=doc_id, source="kiosk" if kiosk else "import", text=text,
                                            fingerprint=fp, identity_keys=keys, page_count=1, device_id=kiosk,
                                            source_name="" if kiosk else "thu_dien_tu.eml"))
            when.append((at.isoformat(timespec="seconds"), ref, doc_id))
            if rng.random() < 0.9:
                fields.append({"doc_id": doc_id, "name": c.name, "id_number": c.id_number, "phone": c.phone,
                               "address": f"{c.address.house}, {c.address.street}", "kind": KIND_WORDS[p.kind],
                               "subject": p.subject or p.title, "letter_date": p.day.isoformat(),
                               "source": "ocr", "confidence": '{"name": 0.9}'})
            if kiosk:
                flags = '["low_confidence"]' if rng.random() < 0.03 else "[]"
                pages.append({"page_id": doc_id[:16] + "p0", "doc_id": doc_id, "idx": 0, "text": text[:200],
                              "flags": flags, "ocr_confidence": 80 + rng.random() * 19})
            if i % 100 == 0:  # this matter will be re-sent
                copies.append((doc_id, p, text))
        db.conn.executemany("update documents set received_at = ?, reference = ? where doc_id = ?", when)
        db["document_fields"].insert_all(fields, batch_size=2000)
        db["pages"].insert_all(pages, batch_size=2000)
    print(f"  {docs} documents stored in {time.perf_counter() - t0:.0f} s", flush=True)
    t0 = time.perf_counter()
    for k, (first, _base, text) in enumerate(copies):
        group = [first]
        with db.conn:
            for n in range(rng.randint(1, 3)):
                copy = f"Tôi gửi lại đơn lần {n + 2}.\n" + text
                doc_id = f"{rng.getrandbits(128):032x}"
                insert_document(db, NewDocument(doc_id=doc_id, source="kiosk", text=copy, fingerprint=fingerprint(copy),
                                                identity_keys=identity_keys(copy), page_count=1, device_id=KIOSKS[0]))
                match_document(db, doc_id)
                group.append(doc_id)
        if k % 10 == 0:  # a tenth of the re-sent matters were confirmed and resolved
            ref = confirm_group(db, group, by="bench")
            if ref:
                with db.conn:
                    set_status(db, ref, "resolved", (datetime.now(UTC) - timedelta(days=30)).date().isoformat(),
                               by="bench", via="panel")
        elif k % 10 == 1:
            with db.conn:
                ref = new_case_ref(db, by="bench")
                assign(db, first, ref, by="bench", via="panel")
                set_status(db, ref, "in_progress", None, by="bench", via="panel")
    print(f"  {len(copies)} matters re-sent and matched in {time.perf_counter() - t0:.0f} s", flush=True)
    create_user(db, "bench", PASSWORD)
    db.execute("analyze")
    db.conn.close()


def _time(client, url: str, repeat: int) -> tuple[float, float, int]:  # noqa: ANN001
    r = client.get(url)
    assert r.status_code == 200, (url, r.status_code)
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        r = client.get(url)
        times.append((time.perf_counter() - t0) * 1000)
        assert r.status_code == 200
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    return statistics.median(times), p95, len(r.data)


def main(argv: list[str] | None = None) -> int:
    """Build (or reuse) the index and print the page-load table."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--docs", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=20)
    ap.add_argument("--seed", type=int, default=19)
    ap.add_argument("--rebuild", action="store_true")
    ap.add_argument("--cache", default="/var/tmp/donthu-bench-panel")
    args = ap.parse_args(argv)

    from hub.index import open_index
    from hub.panel import create_app

    path = Path(args.cache) / f"panel-{args.docs}-{args.seed}.db"
    if args.rebuild or not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        for p in path.parent.glob(path.name + "*"):
            p.unlink()
        print(f"building {path} ...", flush=True)
        build(path, args.docs, args.seed)
    db = open_index(path)  # applies any migration added since the index was built
    total = db.execute("select count(*) from documents").fetchone()[0]
    ref = db.execute("select reference from documents where reference is not null order by received_at desc "
                     "limit 1 offset 500").fetchone()[0]
    case = db.execute("select case_ref from cases order by case_ref limit 1").fetchone()[0]
    pair = db.execute("select doc_a, doc_b from duplicate_pairs where decision = 'proposed' limit 1").fetchone()
    name = db.execute("select name from document_fields where name is not null limit 1 offset 777").fetchone()[0]
    db.conn.close()
    from edge.fingerprint.normalize import fold

    app = create_app({"DATABASE": str(path), "SECRET_KEY": "bench", "TESTING": True})
    client = app.test_client()
    import re

    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text).group(1)
    client.post("/login", data={"username": "bench", "password": PASSWORD, "csrf_token": token})
    pages = [
        ("document list", "/documents"),
        ("list, page 1000", "/documents?page=1000"),
        ("list, kind + status + kiosk", "/documents?kind=khiếu nại&status=received&kiosk=k03"),
        ("list, date range", "/documents?from=2026-03-01&to=2026-03-31"),
        ("list, sorted by name", "/documents?sort=name&dir=asc"),
        ("list, awaiting duplicate review", "/documents?dup=proposed"),
        ("list, re-submissions", "/documents?resub=1"),
        ("list, flagged pages", "/documents?flagged=1"),
        ("search, a name without accents", f"/search?q={fold(name)}"),
        ("search, two common words", "/search?q=đất đai"),
        ("search, page 5", "/search?q=đất đai&page=5"),
        ("search, reference number", f"/search?q={ref}"),
        ("duplicate queue", "/duplicates"),
        ("review one matter", "/duplicates/review?i=0"),
        ("pair page", f"/duplicates/{pair[0]}/{pair[1]}"),
        ("document page", f"/documents/{ref}"),
        ("case list", "/cases"),
        ("case page", f"/cases/{case}"),
    ]
    print(f"\nPanel page loads, {total:,} documents ({path}), {args.repeat} requests each after a warm-up\n")
    print(f"{'page':34} {'p50 ms':>8} {'p95 ms':>8} {'KiB':>6}")
    worst = 0.0
    for label, url in pages:
        p50, p95, size = _time(client, url, args.repeat)
        worst = max(worst, p95)
        print(f"{label:34} {p50:8.1f} {p95:8.1f} {size / 1024:6.0f}", flush=True)
    print(f"\nworst p95 {worst:.0f} ms (target 200 ms)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
