"""Errors of the kiosk screen: a stable code, an English detail, a Vietnamese message."""
from __future__ import annotations

from edge.exceptions import EdgeError


class PrinterError(EdgeError):
    """The receipt printer is missing, off or refused the job."""

    code = "printer_error"
    message_vi = "Không in được phiếu: máy in chưa sẵn sàng. Kiểm tra máy in đã bật, còn giấy và cắm cáp; " \
                 "có thể tải phiếu về và in sau."


class NoPrinter(PrinterError):
    code = "printer_not_configured"
    message_vi = "Thiết bị chưa được cài máy in phiếu. Có thể tải phiếu về và in từ máy khác."


class ReceiptError(EdgeError):
    code = "receipt_error"
    message_vi = "Không tạo được phiếu tiếp nhận. Báo cho kỹ thuật viên."
