"""The petition fields as one frozen value, and the one validator for fields from outside."""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field, replace
from datetime import date
from typing import Any

from edge.fields.exceptions import FieldsInvalid

FIELD_NAMES = ("name", "id_number", "phone", "address", "kind", "addressee", "letter_date",
               "subject")
KINDS = ("khiếu nại", "tố cáo", "kiến nghị", "phản ánh", "đề nghị", "other")
MAX_LEN = 300  # one form line; longer is not a field but pasted text
_DIGITS = re.compile(r"^\d*$")
_PHONE = re.compile(r"^\+?\d*$")
# A date as Vietnamese letters and forms write it: day, month, year (dd/mm/yyyy, or . or -).
SLASH_DATE = re.compile(r"(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{4})")


@dataclass(frozen=True)
class PetitionFields:
    """What a person reads a petition by; "" when not found. ``confidence``: field → 0..1."""

    name: str = ""
    id_number: str = ""  # CCCD (12 digits) or CMND (9), digits only
    phone: str = ""
    address: str = ""
    kind: str = ""  # one of KINDS ("" when unknown)
    addressee: str = ""
    letter_date: str = ""  # ISO yyyy-mm-dd
    subject: str = ""
    confidence: dict[str, float] = field(default_factory=dict, compare=False)

    def values(self) -> dict[str, str]:
        """The fields without their confidence."""
        return {k: getattr(self, k) for k in FIELD_NAMES}

    def to_dict(self) -> dict[str, Any]:
        """Plain data (for ``meta["fields"]`` of a document message)."""
        return asdict(self)

    def corrected(self, values: dict[str, str]) -> PetitionFields:
        """These fields with some replaced by a person (their confidence becomes 1)."""
        changed = {k: v for k, v in values.items() if k in FIELD_NAMES and v != getattr(self, k)}
        conf = {**self.confidence, **{k: 1.0 for k in changed}}
        return replace(self, **changed, confidence=conf)


def _text(name: str, value: Any) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise FieldsInvalid(f"field {name} is {type(value).__name__}, not text")
    value = " ".join(value.split())
    if len(value) > MAX_LEN:
        raise FieldsInvalid(f"field {name} is {len(value)} characters (at most {MAX_LEN})")
    return value


def clean(data: Any) -> PetitionFields:
    """Validated fields from untrusted data (a kiosk's message, a form); raise FieldsInvalid."""
    if not isinstance(data, dict):
        raise FieldsInvalid("fields are not an object")
    values = {k: _text(k, data.get(k)) for k in FIELD_NAMES}
    values["id_number"] = values["id_number"].replace(" ", "").replace(".", "")
    values["phone"] = values["phone"].replace(" ", "").replace(".", "")
    if not _DIGITS.match(values["id_number"]) or len(values["id_number"]) > 12:
        raise FieldsInvalid("id_number must be at most 12 digits")
    if not _PHONE.match(values["phone"]) or len(values["phone"]) > 15:
        raise FieldsInvalid("phone must be digits")
    if values["kind"] and values["kind"] not in KINDS:
        raise FieldsInvalid(f"kind {values['kind'][:20]!r} is not one of {', '.join(KINDS)}")
    if values["letter_date"]:
        try:
            date.fromisoformat(values["letter_date"])
        except ValueError as e:
            raise FieldsInvalid("letter_date is not an ISO date") from e
    conf_in = data.get("confidence") or {}
    if not isinstance(conf_in, dict):
        raise FieldsInvalid("confidence is not an object")
    conf: dict[str, float] = {}
    for k, v in conf_in.items():
        if k not in FIELD_NAMES:
            continue
        if isinstance(v, bool) or not isinstance(v, int | float) or not 0 <= v <= 1:
            raise FieldsInvalid(f"confidence of {k} is not a number in 0..1")
        conf[k] = round(float(v), 3)
    return PetitionFields(**values, confidence=conf)
