"""Cases: the city's file on one matter, its status, and the documents that belong to it."""
from __future__ import annotations

from hub.cases.csvimport import ImportReport, import_csv
from hub.cases.store import STATUSES, assign, join_case_of, set_status

__all__ = ["STATUSES", "ImportReport", "assign", "import_csv", "join_case_of", "set_status"]
