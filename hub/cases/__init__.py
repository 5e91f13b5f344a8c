"""Cases: the city's file on one matter, its status, and the documents that belong to it."""
from __future__ import annotations

from hub.cases.csvimport import ImportReport, import_csv, import_data
from hub.cases.store import (
    RESUBMISSION_SQL,
    STATUSES,
    assign,
    join_case_of,
    new_case_ref,
    resubmission_of,
    set_status,
)

__all__ = ["RESUBMISSION_SQL", "STATUSES", "ImportReport", "assign", "import_csv", "import_data", "join_case_of",
           "new_case_ref", "resubmission_of", "set_status"]
