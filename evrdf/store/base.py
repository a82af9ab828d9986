"""The store interface every backend implements; defined on the floor (evrdf/storage.py) so that stages below
the store can name it, and re-exported here for the web layer and the backends."""

from __future__ import annotations

from evrdf.storage import Store

__all__ = ["Store"]
