"""Built-in feature plugins. Each registers through the ``retail_admin.plugins``
entry-point group in ``pyproject.toml``, exactly like a third-party plugin."""
