"""Notebook tests: jupyter_core warns about its path migration unless this is set."""

from __future__ import annotations

import os

os.environ.setdefault("JUPYTER_PLATFORM_DIRS", "1")
