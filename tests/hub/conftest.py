"""Fixtures shared by the hub tests."""
from __future__ import annotations

import pytest

from hub.index import open_index


@pytest.fixture
def db(tmp_path):
    """A fresh, migrated city index in the test's folder."""
    d = open_index(tmp_path / "index.db")
    yield d
    d.conn.close()
