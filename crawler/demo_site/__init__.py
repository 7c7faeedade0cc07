"""The demo blog snapshot (data only; see crawler/demo_server.py)."""
