"""Admin home page dashboard (figures per role, store-scoped) and printable documents."""
