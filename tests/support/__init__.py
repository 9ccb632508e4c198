"""Shared test helpers, imported as ``tests.support.<module>``.

pyproject's ``pythonpath = ["."]`` puts the project root on ``sys.path``, so ``tests``
is importable as a namespace package; no test adds paths by hand.
"""
