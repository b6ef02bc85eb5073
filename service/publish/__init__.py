"""What portals harvest: the DCAT-AP.de catalogue, its validation, VoID, sitemaps and dumps."""
