"""Sources → records: strict readers for the curated tables (and, later, other source formats)."""
