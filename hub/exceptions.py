"""Errors of the hub: a stable code, an English detail for logs, a Vietnamese message for the panel."""
from __future__ import annotations


class HubError(Exception):
    """Base error. ``code`` is stable, ``exit_code`` is what the CLI returns."""

    code = "hub_error"
    exit_code = 1
    message_vi = "Đã xảy ra lỗi ở máy chủ."

    def __init__(self, detail: str, *, message_vi: str | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        if message_vi is not None:
            self.message_vi = message_vi

    def __str__(self) -> str:
        return f"[{self.code}] {self.detail}"


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
