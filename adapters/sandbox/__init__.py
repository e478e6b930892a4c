"""Sandbox networks: a local HTTP server that answers like X (and later LinkedIn, Facebook, Instagram).

Start it with ``python -m adapters.sandbox`` or, in tests, ``adapters.sandbox.server.start_in_thread``.
"""
