"""Shared pytest configuration.

Hypothesis explores new random examples on every local run (that is how it
finds bugs), but CI must be reproducible: with ``CI`` set, the ``ci`` profile
derandomizes it, so a CI failure always reproduces with ``CI=true make test``.
"""

from __future__ import annotations

import os

from hypothesis import settings

settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")
