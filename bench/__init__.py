"""Benchmarks, one command each, run from the repository root: `python -m bench.<name> --help`.

They import the app (`chatbot`) and the local servers (`fakes`), never `tests`; `chatbot` never imports them.
Figures and commands: BENCHMARKS.md.
"""
