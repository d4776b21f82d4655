"""One module per entity: a Strawberry type with ``from_model()``."""
