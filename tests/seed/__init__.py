"""Tests of `flask seed demo` and the seed service."""
