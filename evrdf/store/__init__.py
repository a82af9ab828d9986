"""The store: one interface (base.Store), an embedded Oxigraph implementation, atomic publishing, and a remote
implementation over the standard SPARQL protocols (remote.py, published to by publish_remote.py)."""

from __future__ import annotations

from evrdf.store.base import Store
from evrdf.store.oxigraph import OxigraphStore

__all__ = ["Store", "OxigraphStore", "open_store"]


def open_store(settings: "object") -> Store:
    """The read side the settings select: the embedded release in settings.store, or the remote store."""
    if getattr(settings, "backend", "oxigraph") == "remote":
        from evrdf.store.remote import RemoteStore

        return RemoteStore.from_settings(settings)
    return OxigraphStore(settings.store,  # type: ignore[attr-defined]
                         memory_budget=getattr(settings, "memory_budget_bytes", 0))
