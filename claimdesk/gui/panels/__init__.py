"""The parts of the case workspace; each owns its own item model."""
