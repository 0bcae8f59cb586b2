"""Dataset sources: built-in, generated, CSV, image folders, NumPy (no Qt)."""
