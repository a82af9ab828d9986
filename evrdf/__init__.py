"""evrdf: extracellular vesicles and chemokines in cancer, published as linked data."""

__version__ = "0.1.0"
