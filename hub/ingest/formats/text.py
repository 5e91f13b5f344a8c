"""Plain text files: UTF-8, UTF-16/32 with a byte-order mark, or Windows-1258 (Vietnamese)."""
from __future__ import annotations

import codecs
import unicodedata

from hub.exceptions import ImportFailed

_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
         (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
         (codecs.BOM_UTF16_BE, "utf-16"))
# Letters of Vietnamese beyond ASCII (both cases), after NFC.
_VIET = set("àáâãèéêìíòóôõùúýăđĩũơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ")
_VIET |= {c.upper() for c in _VIET}
# Share of the non-ASCII letters a Windows-1258 reading must give as Vietnamese letters. Text
# in another 8-bit code page read as 1258 gives mostly symbols and Western letters (ð, þ, ×,
# Æ ...), Vietnamese gives nearly only these; a stated model, not a fit.
_MIN_VIET_SHARE = 0.8


def decode_text(data: bytes, name: str) -> str:
    """The text of a .txt file in whichever of the accepted encodings it is; ImportFailed if none."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(codec)
            except UnicodeDecodeError as e:
                raise _not_text(name, f"damaged {codec} text (byte {e.start})") from e
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        utf8_error = e.start
    text = _windows_1258(data)
    if text is None:
        raise _not_text(name, f"not UTF-8 text (byte {utf8_error}) nor Vietnamese Windows-1258")
    return text


def _windows_1258(data: bytes) -> str | None:
    """The cp1258 reading of ``data`` if it looks like Vietnamese text, else None."""
    if b"\0" in data:
        return None  # UTF-16 without a mark, or a binary file
    try:
        text = unicodedata.normalize("NFC", data.decode("cp1258"))
    except UnicodeDecodeError:
        return None
    if any(unicodedata.category(c) == "Cc" and c not in "\t\n\r\f" for c in text):
        return None
    if any(unicodedata.combining(c) for c in text):
        return None  # a tone mark that composed with nothing: not Vietnamese
    high = [c for c in text if ord(c) > 127 and c.isalpha()]
    if not high:
        return text  # plain ASCII with a stray symbol byte
    viet = sum(c in _VIET for c in high)
    return text if viet / len(high) >= _MIN_VIET_SHARE else None


def _not_text(name: str, why: str) -> ImportFailed:
    return ImportFailed(
        f"{name}: {why}; re-save it as UTF-8",
        message_vi="Không nhận ra bảng mã của tệp văn bản (cần UTF-8, UTF-16 hoặc Windows-1258). "
                   "Hãy lưu lại tệp dưới dạng UTF-8.")
