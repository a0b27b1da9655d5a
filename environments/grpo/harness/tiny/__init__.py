"""The harness's own copies of ../../tiny/qwen2.py and ../../tiny/chars.py (kept identical by tests/test_tiny.py)."""
