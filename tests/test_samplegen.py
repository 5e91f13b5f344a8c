"""Synthetic petition generator: content, rendering, labelled corpus, CLI, and that Tesseract can read it."""
from __future__ import annotations

import hashlib
import json
import random
import re
import unicodedata
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from samplegen import (
    ALL,
    Manifest,
    generate_corpus,
    make_petition,
    render_document,
    render_pages,
)
from samplegen import variants as v
from samplegen.cli import main
from samplegen.exceptions import BadParameter, FontMissing
from samplegen.layout import layout_pages


def _cer(ref: str, hyp: str) -> float:
    """Character error rate over whitespace-collapsed NFC text (plain Levenshtein)."""
    ref = " ".join(unicodedata.normalize("NFC", ref).split())
    hyp = " ".join(unicodedata.normalize("NFC", hyp).split())
    prev = list(range(len(hyp) + 1))
    for i, a in enumerate(ref, 1):
        cur = [i]
        for j, b in enumerate(hyp, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a != b)))
        prev = cur
    return prev[-1] / max(1, len(ref))


# --- content ---------------------------------------------------------------------------------

def test_same_seed_same_petition_other_seed_other_petition() -> None:
    a, b = make_petition(random.Random(7)), make_petition(random.Random(7))
    assert a == b and a.text == b.text
    assert make_petition(random.Random(8)).text != a.text


def test_petition_has_the_parts_of_a_real_petition() -> None:
    for seed in range(25):
        p = make_petition(random.Random(seed))
        t = p.text
        assert t.startswith("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\nHà Nội, ngày ")
        assert re.search(r"^ĐƠN (KHIẾU NẠI|TỐ CÁO|KIẾN NGHỊ|PHẢN ÁNH)$", t, re.M)
        assert "Kính gửi:" in t and "Tôi đề nghị" in t
        assert "Tôi xin cam đoan những nội dung trình bày trên là đúng sự thật" in t
        assert t.endswith(f"Người làm đơn\n{t.splitlines()[-2]}\n{p.name}")
        assert re.fullmatch(r"\d{12}" if p.citizen.id_kind == "CCCD" else r"\d{9}", p.cccd)
        assert p.cccd in t and re.fullmatch(r"0\d{9}", p.phone)
        assert p.address.endswith(", Hà Nội") and p.address in t
        assert len(p.name.split()) >= 3
        assert unicodedata.is_normalized("NFC", t)


def test_lengths_and_variety_across_seeds() -> None:
    ps = [make_petition(random.Random(s)) for s in range(60)]
    lengths = sorted(len(p.text) for p in ps)
    assert 1400 <= lengths[len(lengths) // 2] <= 2500  # typical petition
    assert lengths[-1] > 2500  # some long ones
    assert len({p.topic for p in ps}) >= 6 and len({p.kind for p in ps}) == 4
    assert len({p.name for p in ps}) >= 55
    assert len({p.template for p in ps}) == 60
    specifics = " ".join(p.text for p in ps)
    assert re.search(r"Quyết định số \d+/QĐ-UBND", specifics)
    assert re.search(r"thửa đất số \d+, tờ bản đồ số \d+", specifics)


# --- variants --------------------------------------------------------------------------------

def test_resent_has_new_date_and_says_it_was_sent_before() -> None:
    p = make_petition(random.Random(3))
    r = v.resend(p, random.Random(1))
    assert r.day > p.day and r.citizen == p.citizen
    assert "Hà Nội, ngày " in r.text and r.text != p.text
    old = f"{p.day.day:02d}/{p.day.month:02d}/{p.day.year}"
    added = [b for b in r.body if b not in p.body]
    assert len(added) == 1 and old in added[0]


def test_edited_changes_a_paragraph_but_keeps_the_matter() -> None:
    p = make_petition(random.Random(4))
    e = v.edit(p, random.Random(2))
    assert e.text != p.text and e.citizen == p.citizen and e.facts == p.facts
    assert len(set(e.body) & set(p.body)) >= len(p.body) - 2


def test_hard_negatives() -> None:
    p = make_petition(random.Random(5))
    same_person = v.other_matter(p, random.Random(1))
    assert (same_person.name, same_person.cccd, same_person.phone) == (p.name, p.cccd, p.phone)
    assert same_person.facts != p.facts
    other = v.other_person(p, random.Random(1))
    assert (other.kind, other.topic, other.recipients) == (p.kind, p.topic, p.recipients)
    assert other.template == p.template
    assert other.citizen.address.ward == p.citizen.address.ward
    assert other.cccd != p.cccd and other.name != p.name and other.facts != p.facts


# --- rendering -------------------------------------------------------------------------------

def test_a4_300dpi_grayscale_and_ground_truth_is_what_was_drawn() -> None:
    p = make_petition(random.Random(11), long=True)
    pages = render_document(p.text, dpi=300, font="Liberation Serif", size_pt=14, noise=0.5, seed=1)
    assert len(pages) >= 2
    for pg in pages:
        assert pg.image.size == (2480, 3508) and pg.image.mode == "L"
    assert " ".join(" ".join(pg.text for pg in pages).split()) == " ".join(p.text.split())
    assert pages[0].text.splitlines()[:2] == ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"]
    imgs = render_pages(p.text, dpi=100, font="DejaVu Sans", noise=0.5, seed=1)
    assert imgs[0].info["text"].startswith("CỘNG HÒA") and imgs[0].size == (827, 1169)


def test_rendering_is_deterministic_for_a_seed() -> None:
    text = make_petition(random.Random(2)).text
    a = render_pages(text, dpi=100, skew_degrees=3.0, noise=1.0, lid_edge=True, seed=5)
    b = render_pages(text, dpi=100, skew_degrees=3.0, noise=1.0, lid_edge=True, seed=5)
    c = render_pages(text, dpi=100, skew_degrees=3.0, noise=1.0, lid_edge=True, seed=6)
    assert [i.tobytes() for i in a] == [i.tobytes() for i in b]
    assert a[0].tobytes() != c[0].tobytes()


def test_positive_skew_is_pil_counter_clockwise_rotation() -> None:
    text = "\n".join(make_petition(random.Random(1)).lines()[:12])
    kw = {"dpi": 100, "noise": 0.0, "seed": 0, "font": "DejaVu Sans"}
    straight = np.asarray(render_pages(text, skew_degrees=0.0, **kw)[0], dtype=np.float32)
    skewed = render_pages(text, skew_degrees=5.0, **kw)[0]

    def diff(angle: float) -> float:
        back = skewed.rotate(angle, resample=Image.Resampling.BICUBIC, fillcolor=255)
        return float(np.abs(np.asarray(back, dtype=np.float32) - straight)[100:-100, 100:-100].mean())

    assert diff(-5.0) < 0.4 * diff(5.0)  # undoing +5 needs PIL rotate(-5)


def test_scan_effects_change_the_page() -> None:
    text = "\n".join(make_petition(random.Random(1)).lines()[:8])
    clean = np.asarray(render_pages(text, dpi=100, noise=0.0, seed=1)[0], dtype=np.int16)
    noisy = np.asarray(render_pages(text, dpi=100, noise=1.0, lid_edge=("left",), seed=1)[0], dtype=np.int16)
    assert clean[:, :3].mean() > 200 and noisy[:, :3].mean() < 120  # dark lid band on the left
    assert np.abs(noisy - clean).mean() > 2.0


def test_bad_parameters_raise_our_errors() -> None:
    with pytest.raises(FontMissing):
        layout_pages("x", font="Comic Sans")
    with pytest.raises(BadParameter):
        render_pages("x", dpi=10)
    with pytest.raises(BadParameter):
        render_pages("x", dpi=100, lid_edge=("middle",))


def test_tesseract_reads_a_straight_page(monkeypatch: pytest.MonkeyPatch) -> None:
    pytesseract = pytest.importorskip("pytesseract")
    monkeypatch.setenv("OMP_THREAD_LIMIT", "1")
    p = make_petition(random.Random(1))
    lines = p.lines()
    text = "\n".join(lines[: lines.index(p.body[0]) + 1])  # header, identity and the first paragraph
    for font in ("Liberation Serif", "DejaVu Sans"):
        # A small page at the real 300 dpi keeps the OCR quick.
        page = render_document(text, dpi=300, font=font, size_pt=12, noise=0.3, jpeg=False, seed=1,
                               paper_mm=(160.0, 160.0))[0]
        got = pytesseract.image_to_string(page.image, lang="vie", config="--psm 3")
        assert _cer(page.text, got) < 0.03, (font, got)


# --- corpus and CLI --------------------------------------------------------------------------

def _digest(root: Path) -> str:
    h = hashlib.sha256()
    for f in sorted(root.rglob("*")):
        if f.is_file():
            h.update(str(f.relative_to(root)).encode())
            h.update(f.read_bytes())
    return h.hexdigest()


def test_corpus_labels_files_and_determinism(tmp_path: Path) -> None:
    m = generate_corpus(tmp_path / "a", matters=2, seed=3, dpi=60, txt=True)
    names = [d.name for d in m.documents]
    assert len(names) == 2 * (1 + len(ALL)) and len(set(names)) == len(names)
    for d in m.documents:
        assert d.pages and all((tmp_path / "a" / pg.file).is_file() for pg in d.pages)
        assert all(abs(pg.skew_degrees) <= 8.0 for pg in d.pages)
        assert (tmp_path / "a" / d.txt).read_text(encoding="utf-8").rstrip("\n") == d.text
        orig = d.name.split("-")[0] + "-original"
        if d.variant in v.DUPLICATE_VARIANTS:
            assert d.duplicate_of == orig and m.is_duplicate(d.name, orig)
        elif d.variant in v.NEGATIVE_VARIANTS:
            assert d.duplicate_of is None and d.negative_of == orig and not m.is_duplicate(d.name, orig)
    o = m.by_name("m001-original")
    assert m.by_name("m001-rescan").text == o.text  # same paper, new scan
    assert m.by_name("m001-cover").pages[1:] and m.by_name("m001-cover").text.endswith(o.text)
    assert m.by_name("m001-cover").pages[0].text.splitlines()[3] == "THƯ GỬI KÈM ĐƠN"
    same_person = m.by_name("m001-same_citizen_other_matter")
    assert (same_person.cccd, same_person.citizen_id) == (o.cccd, o.citizen_id)
    assert len(m.duplicate_pairs()) == 2 * 10  # 5 documents per matter -> 10 pairs

    on_disk = json.loads((tmp_path / "a" / "manifest.json").read_text(encoding="utf-8"))
    assert set(on_disk["documents"][0]) >= {"name", "matter_id", "citizen_id", "variant", "duplicate_of", "pages"}
    assert set(on_disk["documents"][0]["pages"][0]) == {"file", "text", "skew_degrees"}
    assert Manifest.load(tmp_path / "a").documents == m.documents

    generate_corpus(tmp_path / "b", matters=2, seed=3, dpi=60, txt=True)
    assert _digest(tmp_path / "a") == _digest(tmp_path / "b")


def test_variant_subset_gives_the_same_documents(tmp_path: Path) -> None:
    full = generate_corpus(tmp_path / "full", matters=1, seed=9, dpi=50, max_skew=2.0)
    part = generate_corpus(tmp_path / "part", matters=1, seed=9, dpi=50, max_skew=2.0,
                           variants=("same_template_other_person",))
    assert [d.name for d in part.documents] == ["m001-original", "m001-same_template_other_person"]
    for d in part.documents:
        assert d == full.by_name(d.name)
        assert all(abs(p.skew_degrees) <= 2.0 for p in d.pages)


def test_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as e:
        main(["--help"])
    assert e.value.code == 0 and "--max-skew" in capsys.readouterr().out
    assert main(["--out", str(tmp_path), "--matters", "1", "--dpi", "50", "--variants", "rescan,resent",
                 "--workers", "1", "--txt"]) == 0
    m = Manifest.load(tmp_path)
    assert [d.variant for d in m.documents] == ["original", "rescan", "resent"]
    assert (tmp_path / "txt" / "m001-resent.txt").is_file()
    assert main(["--out", str(tmp_path / "x"), "--variants", "nope"]) == 2
    assert "unknown variants" in capsys.readouterr().err


@pytest.mark.slow
def test_workers_do_not_change_the_output(tmp_path: Path) -> None:
    generate_corpus(tmp_path / "one", matters=1, seed=4, dpi=60, workers=1)
    generate_corpus(tmp_path / "two", matters=1, seed=4, dpi=60, workers=2)
    assert _digest(tmp_path / "one") == _digest(tmp_path / "two")
