"""Errors of the operator panel, on top of :mod:`hub.exceptions` (same code/detail/message_vi shape)."""
from __future__ import annotations

from hub.exceptions import HubError


class PanelError(HubError):
    code = "panel_error"
    exit_code = 7
    message_vi = "Thao tác trên bảng điều khiển không thành công."


class UserExists(PanelError):
    code = "user_exists"
    message_vi = "Tên đăng nhập này đã có."


class UnknownUser(PanelError):
    code = "user_unknown"
    message_vi = "Không có tài khoản này."


class WeakPassword(PanelError):
    code = "password_weak"
    message_vi = ("Mật khẩu phải dài ít nhất 10 ký tự và không được là mật khẩu phổ biến, dễ đoán "
                  "hay chứa tên đăng nhập.")


class InvalidUsername(PanelError):
    code = "username_invalid"
    message_vi = "Tên đăng nhập chỉ gồm chữ không dấu, số, dấu chấm, gạch dưới, gạch ngang (2–64 ký tự)."


class InvalidRole(PanelError):
    code = "role_invalid"
    message_vi = "Vai trò chỉ có thể là admin (quản trị) hoặc operator (cán bộ vận hành)."
