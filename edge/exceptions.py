"""Errors of the kiosk appliance: a stable code, an English detail for logs, a Vietnamese message for screens."""
from __future__ import annotations


class CodedError(Exception):
    """An error with a stable ``code``, an English ``detail`` and a Vietnamese ``message_vi``.

    Both the appliance (EdgeError) and the hub (hub.exceptions.HubError) build on it.
    """

    code = "error"
    exit_code = 1
    message_vi = "Đã xảy ra lỗi."

    def __init__(self, detail: str, *, message_vi: str | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        if message_vi is not None:
            self.message_vi = message_vi

    def __str__(self) -> str:
        return f"[{self.code}] {self.detail}"


class EdgeError(CodedError):
    """Base error of the appliance; the CLI returns ``exit_code``."""

    code = "edge_error"
    message_vi = "Đã xảy ra lỗi. Vui lòng báo cho kỹ thuật viên."


class ConfigError(EdgeError):
    code = "config_invalid"
    exit_code = 3
    message_vi = "Cấu hình thiết bị không hợp lệ. Vui lòng báo cho kỹ thuật viên."


class ScannerError(EdgeError):
    code = "scanner_error"
    exit_code = 4
    message_vi = "Máy quét gặp lỗi. Kiểm tra máy quét rồi thử lại."


class ScannerNotFound(ScannerError):
    code = "scanner_not_found"
    message_vi = "Không tìm thấy máy quét. Kiểm tra cáp và nguồn của máy quét."


class PaperJam(ScannerError):
    code = "paper_jam"
    message_vi = "Kẹt giấy. Mở nắp máy quét, gỡ tờ bị kẹt rồi đặt lại tập giấy."


class CoverOpen(ScannerError):
    code = "cover_open"
    message_vi = "Nắp máy quét đang mở. Đóng nắp rồi thử lại."


class ScannerTimeout(ScannerError):
    code = "scanner_timeout"
    message_vi = "Máy quét không phản hồi. Tắt máy quét, bật lại rồi thử lại."


class ImageError(EdgeError):
    code = "image_invalid"
    exit_code = 5
    message_vi = "Ảnh trang không đọc được (tệp hỏng hoặc không phải ảnh). Hãy quét lại trang này."


class OcrError(EdgeError):
    code = "ocr_failed"
    exit_code = 6
    message_vi = "Không nhận dạng được chữ trên trang này. Trang đã được lưu và đánh dấu để kiểm tra."


class OcrUnavailable(OcrError):
    code = "ocr_unavailable"
    message_vi = "Phần mềm nhận dạng chữ chưa được cài đặt. Vui lòng báo cho kỹ thuật viên."


class SpoolError(EdgeError):
    code = "spool_error"
    exit_code = 7
    message_vi = "Không ghi được dữ liệu vào bộ nhớ thiết bị. Vui lòng báo cho kỹ thuật viên."


class DiskFull(SpoolError):
    code = "disk_full"
    message_vi = "Bộ nhớ thiết bị sắp đầy. Ngừng quét và báo cho kỹ thuật viên."


class UplinkError(EdgeError):
    code = "uplink_error"
    exit_code = 8
    message_vi = "Mất kết nối tới máy chủ. Các trang vẫn được lưu và sẽ tự gửi lại."


class AuthError(UplinkError):
    code = "broker_auth_failed"
    message_vi = "Máy chủ từ chối tên đăng nhập hoặc mật khẩu của thiết bị. Vui lòng báo cho kỹ thuật viên."


class ThreadFault(EdgeError):
    """A long-lived thread of the appliance died (it is restarted; see edge/supervise.py)."""

    code = "thread_died"
    message_vi = ("Thiết bị vừa gặp sự cố nội bộ và đang tự khôi phục. Các trang đã nhận vẫn "
                  "được giữ an toàn; nếu thông báo này còn mãi, vui lòng báo cho kỹ thuật viên.")
