"""Municipal strategic programmes as Linked Open Data: the kzs package (the map: docs/architecture.md)."""
