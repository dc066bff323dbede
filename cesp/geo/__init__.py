"""French reference geography: communes and their history, CRS, name search."""
