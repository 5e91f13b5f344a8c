from __future__ import annotations

import random
import re

import numpy as np

from edge.fingerprint import _kernels, fingerprint, fold, jaccard
from edge.fingerprint.boilerplate import STOP_SHINGLES
from edge.fingerprint.identity import identity_keys
from edge.fingerprint.minhash import (
    ADD,
    FINGERPRINT_VERSION,
    MULT,
    minhash_reference,
    shingles,
    shingles_of_fold,
    shingles_reference,
    signature_of,
    winners,
    winners_reference,
)
from edge.fingerprint.normalize import (
    fingerprint_pieces,
    fingerprint_text,
    strip_diacritics,
    unify_tone_placement,
)

TEXT = ("Tôi tên là Nguyễn Văn Hoà, sinh năm 1975, số CCCD 001075012345, thường trú tại số 12 "
        "phố Hàng Bông, phường Hoàn Kiếm. Tôi khiếu nại Quyết định số 1234/QĐ-UBND ngày "
        "12/3/2025 về việc thu hồi thửa đất số 56, tờ bản đồ số 12, diện tích 84,5 m². "
        "Gia đình tôi đã sử dụng ổn định từ năm 1992, không có tranh chấp. ") * 4


def _noisy(text: str, rate: float, seed: int) -> str:
    rng = random.Random(seed)
    confusions = {"ơ": "o", "ư": "u", "đ": "d", "m": "rn", "ế": "e", "à": "a", "ộ": "o"}
    out = []
    for ch in text:
        r = rng.random()
        if r < rate / 2 and ch in confusions:
            out.append(confusions[ch])
        elif r < rate / 4:
            out.append(rng.choice("abcdeghiklmnoptuv"))
        else:
            out.append(ch)
    return "".join(out)


def test_numba_kernels_agree_with_numpy_reference():
    for text in (TEXT, "ngắn", "", TEXT[:300], _noisy(TEXT, 0.08, 3)):
        codes = shingles(text)
        assert np.array_equal(codes, shingles_reference(text))
        assert np.array_equal(codes, shingles_of_fold(fold(text)))  # what the hub computes
        assert np.array_equal(_kernels.minhash(codes, MULT, ADD), minhash_reference(codes))
        won = winners(codes)
        assert np.array_equal(won, winners_reference(codes))
        if codes.size:  # the winners give the signature
            assert np.array_equal(signature_of(codes[won]), _kernels.minhash(codes, MULT, ADD))


def test_form_phrases_are_left_out_but_what_fills_them_is_kept():
    motto = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\nKính gửi: "
    assert fingerprint(motto).shingle_count == 0 or fingerprint(motto).shingle_count < 12
    a = fingerprint(motto + "Ủy ban nhân dân phường Láng. Tôi tên là Đỗ Minh Châu, thửa đất số 31.")
    b = fingerprint("Ủy ban nhân dân phường Láng. Tôi tên là Đỗ Minh Châu, thửa đất số 31.")
    assert jaccard(a.minhash, b.minhash) > 0.7  # only the seams between phrase and text differ
    assert not np.isin(shingles(motto + "Phạm Thị Hương"), STOP_SHINGLES).any()
    assert FINGERPRINT_VERSION == 2


def test_fold_ignores_diacritics_case_and_tone_placement():
    assert fold("Hoà Bình") == fold("HÒA BÌNH") == "hoa binh"
    assert unify_tone_placement("thủy lợi") == unify_tone_placement("thuỷ lợi")
    assert fold("Đơn khiếu nại!") == "don khieu nai"


def test_fast_forms_read_as_the_diacritic_table_on_every_code_point():
    # fold / fingerprint_text decompose instead of looking each letter up in the table of
    # strip_diacritics; what they keep (a-z, digits, single spaces) must be the same.
    sep = re.compile(r"\n|[.;!?]")

    def by_table(t: str) -> tuple:
        plain = strip_diacritics(t).casefold()
        return (" ".join(re.sub(r"[^0-9a-z ]+", " ", plain).split()), re.sub(r"[^0-9a-z]+", "", plain),
                [re.sub(r"[^0-9a-z]+", "", p) for p in sep.split(plain)])

    for cp in [*range(0x20, 0x2000), *range(0x2000, 0x30000, 7)]:
        if 0xD800 <= cp < 0xE000:
            continue
        c = chr(cp)
        for t in (f"a{c}b", f"{c}\u0301x", f"Đ{c}\n\u0300 {c}ư."):
            assert (fold(t), fingerprint_text(t), fingerprint_pieces(t, sep)) == by_table(t), hex(cp)
    t = "CỘNG HOÀ xã hội chủ nghĩa — Thuỷ/Thủy, Đơn khiếu nại số 12/QĐ-UBND\tngày 03.2025"
    assert fold(t) == by_table(t)[0] == "cong hoa xa hoi chu nghia thuy thuy don khieu nai so 12 qd ubnd ngay 03 2025"


def test_noisy_copy_stays_similar_and_other_matter_does_not():
    base = fingerprint(TEXT)
    assert jaccard(base.minhash, fingerprint(_noisy(TEXT, 0.03, 1)).minhash) > 0.6
    other = TEXT.replace("1234/QĐ-UBND", "877/QĐ-UBND").replace("thu hồi", "cấp giấy chứng nhận")
    unrelated = "Phản ánh tiếng ồn của quán karaoke trên phố Tạ Hiện sau 23 giờ hằng đêm. " * 6
    assert jaccard(base.minhash, fingerprint(unrelated).minhash) < 0.1
    assert jaccard(base.minhash, fingerprint(other).minhash) < jaccard(base.minhash, base.minhash)


def test_fingerprint_is_identical_for_same_text_in_other_spellings():
    a = fingerprint("Ông Nguyễn Văn Hoà đề nghị")
    b = fingerprint("ÔNG  NGUYỄN VĂN HÒA\nđề nghị")
    assert a == b


def test_identity_keys_fold_ocr_digit_confusions():
    keys = identity_keys("Số CCCD: 00108501234S. CMND số 012 345 678. Điện thoại: 0912.345.678. "
                         "Quyết định số 1234/QĐ-UBND ngày 12/3/2026")
    assert keys == ("cccd:001085012345", "cmnd:012345678", "phone:+84912345678")
