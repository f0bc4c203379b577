"""The search_dir and indexed fixtures live in tests/conftest.py: pages outside search use them too."""
