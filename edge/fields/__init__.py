"""Structured petition fields read from a letter's text (petitioner, ID, phone, address, ...).

One pure function, :func:`extract`, used on the kiosk after OCR and at the hub for imports;
one validator, :func:`clean`, used for what a kiosk sends and what a clerk types.
"""
from __future__ import annotations

from edge.fields.exceptions import FieldsInvalid
from edge.fields.extract import extract
from edge.fields.model import FIELD_NAMES, KINDS, SLASH_DATE, PetitionFields, clean

__all__ = ["FIELD_NAMES", "KINDS", "SLASH_DATE", "FieldsInvalid", "PetitionFields", "clean", "extract"]
