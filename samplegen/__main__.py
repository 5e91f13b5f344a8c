"""``python -m samplegen``."""
from __future__ import annotations

import sys

from samplegen.cli import main

sys.exit(main())
