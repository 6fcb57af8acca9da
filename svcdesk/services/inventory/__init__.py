"""Parts: the catalogue, stock locations and the ledger, parts used on visits, restocking."""
