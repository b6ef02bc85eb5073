"""The HTTP face: the app, its state, conneg, responses, caching, errors, page models, the blueprints."""
