"""The store: one interface (base.Store), an embedded Oxigraph implementation, atomic publishing."""

from evrdf.store.base import Store
from evrdf.store.oxigraph import OxigraphStore

__all__ = ["Store", "OxigraphStore"]
