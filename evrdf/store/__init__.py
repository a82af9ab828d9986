"""The store: one interface (base.Store), an embedded Oxigraph implementation, atomic publishing, and a remote
implementation over the standard SPARQL protocols (remote.py, published to by publish_remote.py)."""

from __future__ import annotations

from evrdf.settings import Settings
from evrdf.store.base import Store
from evrdf.store.oxigraph import OxigraphStore

__all__ = ["Store", "OxigraphStore", "open_store"]


def open_store(settings: Settings) -> Store:
    """The read side the settings select: the embedded release in settings.store, or the remote store."""
    if settings.backend == "remote":
        from evrdf.store.remote import RemoteStore

        return RemoteStore.from_settings(settings)
    return OxigraphStore(settings.store, memory_budget=settings.memory_budget_bytes)
