"""Failure behaviour as a tested promise: faults, cancellation, load, bad input, secrets."""
