"""Serving from memory: a release that fits the memory budget is answered from an in-memory copy, one that does
not from disk; a new release is copied in the background and swapped in without a failed query."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pyoxigraph as ox

from evrdf.store.oxigraph import BYTES_PER_QUAD, OxigraphStore
from evrdf.store.oxigraph_write import new_release, publishing

GRAPH = "https://example.org/g"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


def publish(root: Path, quads: int) -> None:
    data = "".join(f"<https://example.org/s{i}> <https://example.org/p> \"{i}\" .\n" for i in range(quads))
    with publishing(root), new_release(root, {"ontology_version": "t", "built": "t"}) as writer:
        writer.load(data.encode(), ox.RdfFormat.N_TRIPLES, GRAPH)


def answer(store: OxigraphStore) -> int:
    return int(next(iter(store.query(COUNT)))["n"].value)


def test_a_release_within_the_budget_is_served_from_memory(tmp_path: Path) -> None:
    publish(tmp_path, 100)
    store = OxigraphStore(tmp_path, memory_budget=100 * BYTES_PER_QUAD)
    assert store.preload() == "memory"
    assert answer(store) == 100
    assert "served from memory" in store.memory_note


def test_past_the_budget_the_release_is_served_from_disk(tmp_path: Path) -> None:
    publish(tmp_path, 100)
    store = OxigraphStore(tmp_path, memory_budget=99 * BYTES_PER_QUAD)
    assert store.preload() == "disk"
    assert answer(store) == 100
    assert "over the memory budget" in store.memory_note


def test_no_budget_means_disk(tmp_path: Path) -> None:
    publish(tmp_path, 10)
    store = OxigraphStore(tmp_path)
    assert store.preload() == "disk" and answer(store) == 10


def test_a_new_release_is_swapped_in_while_queries_keep_being_answered(tmp_path: Path) -> None:
    publish(tmp_path, 1000)
    store = OxigraphStore(tmp_path, memory_budget=1 << 30)
    assert store.preload() == "memory"
    seen: list[int] = []
    errors: list[BaseException] = []
    stop = threading.Event()

    def reader() -> None:
        while not stop.is_set():
            try:
                seen.append(answer(store))
            except BaseException as exc:  # noqa: BLE001 - any failed query fails the test
                errors.append(exc)

    thread = threading.Thread(target=reader)
    thread.start()
    try:
        publish(tmp_path, 20000)
        deadline = time.monotonic() + 30
        while store.mode() != "memory" and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(0.05)
    finally:
        stop.set()
        thread.join()
    assert not errors
    assert set(seen) <= {1000, 20000}  # never a half-loaded store
    assert seen[0] == 1000 and seen[-1] == 20000
    assert store.mode() == "memory"


def test_a_new_release_past_the_budget_is_served_from_disk(tmp_path: Path) -> None:
    publish(tmp_path, 10)
    store = OxigraphStore(tmp_path, memory_budget=100 * BYTES_PER_QUAD)
    assert store.preload() == "memory"
    publish(tmp_path, 200)
    assert answer(store) == 200  # the new release at once, from disk
    deadline = time.monotonic() + 10
    while "over the memory budget" not in store.memory_note and time.monotonic() < deadline:
        time.sleep(0.01)
    assert store.mode() == "disk" and answer(store) == 200


def test_a_worker_loads_its_copy_in_the_background_while_the_disk_store_answers(tmp_path: Path) -> None:
    """What a gunicorn worker does once booted: load_in_background() returns at once, queries are answered
    (from disk until the copy is complete), then the copy answers; fits_in_memory() is what the master asks."""
    publish(tmp_path, 5000)
    store = OxigraphStore(tmp_path, memory_budget=5000 * BYTES_PER_QUAD * 2)
    assert store.fits_in_memory(2) and not store.fits_in_memory(3)
    store.load_in_background()
    assert answer(store) == 5000
    deadline = time.monotonic() + 30
    while store.mode() != "memory" and time.monotonic() < deadline:
        assert answer(store) == 5000
    assert store.mode() == "memory" and answer(store) == 5000 and "served from memory" in store.memory_note


def test_a_failed_copy_keeps_the_disk_store_answering_and_says_why(tmp_path: Path) -> None:
    """The release's RocksDB directory loses its CURRENT file after the disk store was opened: a new open (the
    copy's) fails, the open store keeps answering, and the note names the failure."""
    publish(tmp_path, 1000)
    store = OxigraphStore(tmp_path)
    assert answer(store) == 1000  # the disk store is open
    current = store.release_dir() / "oxigraph" / "CURRENT"
    current.rename(current.with_name("CURRENT.moved"))
    store.memory_budget = 1 << 30
    store.load_in_background()
    deadline = time.monotonic() + 30
    while "loading into memory failed" not in store.memory_note and time.monotonic() < deadline:
        time.sleep(0.01)
    assert "loading into memory failed" in store.memory_note and "CURRENT" in store.memory_note
    assert store.mode() == "disk" and answer(store) == 1000


def test_a_release_that_cannot_be_counted_gets_the_disk_layout_and_the_note_says_why(tmp_path: Path) -> None:
    """The gunicorn master counts the release to choose its layout: a store it cannot open (CURRENT gone) does not
    stop `evrdf serve` starting; it gets the several-worker layout, and a worker's copy says why it failed."""
    from evrdf.serve.production import default_workers, layout

    publish(tmp_path, 100)
    store = OxigraphStore(tmp_path, memory_budget=1 << 30)
    current = store.release_dir() / "oxigraph" / "CURRENT"
    current.rename(current.with_name("CURRENT.moved"))
    assert not store.fits_in_memory(1)
    assert layout(store, None, 4) == (default_workers(), 4)
    store.preload()
    assert store.mode() == "disk" and "loading into memory failed" in store.memory_note
    assert f"{default_workers()} gunicorn workers x 4 threads" in store.memory_note
