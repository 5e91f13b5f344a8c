"""``python -m hub``."""
from __future__ import annotations

import sys

from hub.cli import main

sys.exit(main())
