"""Helpers for the reliability tests (tests/integration/test_reliability_*.py): claim
streams, the worker as a subprocess, a second local broker, and result checks."""
