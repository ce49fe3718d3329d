"""viz (being built)."""
