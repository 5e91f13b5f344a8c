"""Errors of the petition fields: a stable code and a Vietnamese message."""
from __future__ import annotations

from edge.exceptions import CodedError


class FieldsInvalid(CodedError):
    """Fields from outside (a kiosk's message, a clerk's form) that break a rule."""

    code = "fields_invalid"
    message_vi = "Thông tin trên đơn không hợp lệ."
