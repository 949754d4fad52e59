"""Shared constants of the media tests."""

from __future__ import annotations

from aimlapi_core.media import PollPolicy

# Quick polls on the fake (its jobs finish on the second look): no test waits for real.
FAST = PollPolicy(timeout=30, interval=0.01, max_interval=0.02)
