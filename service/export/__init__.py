"""The static face: the whole site as files, with an nginx configuration to serve them."""
