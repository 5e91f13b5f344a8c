"""Errors of the hub: a stable code, an English detail for logs, a Vietnamese message for the panel."""
from __future__ import annotations

from edge.exceptions import CodedError


class HubError(CodedError):
    """Base error of the hub; the CLI returns ``exit_code``."""

    code = "hub_error"
    message_vi = "Đã xảy ra lỗi ở máy chủ."


class ConfigError(HubError):
    code = "config_invalid"
    exit_code = 3
    message_vi = "Cấu hình máy chủ không hợp lệ."


class IndexError_(HubError):  # noqa: N801 - avoid shadowing the builtin IndexError
    code = "index_error"
    exit_code = 4
    message_vi = "Không mở được cơ sở dữ liệu đơn thư."


class ImportFailed(HubError):
    code = "import_failed"
    exit_code = 5
    message_vi = "Không nhập được tệp này."


class BrokerError(HubError):
    code = "broker_error"
    exit_code = 6
    message_vi = "Không kết nối được tới máy chủ MQTT."


class BackupError(HubError):
    code = "backup_failed"
    exit_code = 7
    message_vi = "Không sao lưu hoặc khôi phục được cơ sở dữ liệu đơn thư."


class IndexInUse(BackupError):
    code = "index_in_use"
    exit_code = 8
    message_vi = ("Cơ sở dữ liệu đang được dịch vụ tiếp nhận hoặc trang quản trị sử dụng; "
                  "hãy dừng các dịch vụ đó trước khi khôi phục.")
