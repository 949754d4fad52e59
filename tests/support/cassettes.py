"""Cassette settings the tests share with the examples (defined in examples/_cassettes.py)."""

from examples._cassettes import LIVE_BASE_URL, json_body, register, use_cassette, vcr_settings

__all__ = ["LIVE_BASE_URL", "json_body", "register", "use_cassette", "vcr_settings"]
