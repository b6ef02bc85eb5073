"""One blueprint per URL family."""
