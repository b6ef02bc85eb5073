"""What the pages and documents say: descriptions, terms, search, comparison, overview, tables."""
