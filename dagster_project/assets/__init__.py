"""Assets by domain: the lake, the market features, the Feast store."""
