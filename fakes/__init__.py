"""Local stand-ins for what the app talks to, shared by `tests/` and `bench/` (never by `chatbot/`).

- `fakes.cloud_api`: Meta's Cloud API (graph.facebook.com) as a threaded HTTP server on a free port.
- `fakes.meta`: webhook notifications shaped as Meta sends them (samples/ and builders), signed.
- `fakes.servers`: a private redis-server a caller may stop, restart or pause; a TCP server that never
  answers (a hung Redis); the real app under gunicorn in its own process; free ports.

Excluded from the installed distribution (setup.cfg), like tests and bench.
"""
