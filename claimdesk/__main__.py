"""Allow ``python -m claimdesk``."""

from __future__ import annotations

import sys

from claimdesk.cli import main

sys.exit(main())
