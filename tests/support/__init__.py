"""Test support: a local replay server, wire-corpus access, authored replies in wire format."""
