"""Errors of the sample generator, shaped like the kiosk's (stable code, English detail, Vietnamese message)."""
from __future__ import annotations

from edge.exceptions import EdgeError


class SampleGenError(EdgeError):
    """Base error of samplegen."""

    code = "samplegen_error"
    exit_code = 2
    message_vi = "Không tạo được bộ đơn mẫu."


class FontMissing(SampleGenError):
    code = "font_missing"
    message_vi = "Thiếu phông chữ tiếng Việt để tạo đơn mẫu. Cài gói fonts-dejavu-core hoặc fonts-liberation2."


class BadParameter(SampleGenError):
    code = "bad_parameter"
    message_vi = "Tham số tạo đơn mẫu không hợp lệ."
