"""Kiosk appliance: scanner → imaging → OCR → fingerprint → spool/outbox → uplink."""
