"""Progress bars for the stages that read big files (`evrdf build` loading a staged import or an --add file).

tqdm's bars, on stderr, following its convention of switching themselves off when stderr is not a terminal
(``disable=None``), so logs and tests see only the messages.
"""

from __future__ import annotations

from contextlib import contextmanager
from io import BufferedReader
from pathlib import Path
from typing import Any, Iterator

from tqdm import tqdm


@contextmanager
def reading(path: Path, label: str) -> Iterator[_Counting]:
    """``path`` opened for reading, with a progress bar of the bytes read so far (a parser pulling from it
    moves the bar)."""
    size = path.stat().st_size
    with path.open("rb") as handle, tqdm(total=size, unit="B", unit_scale=True, unit_divisor=1024, desc=label,
                                         disable=None, leave=False, dynamic_ncols=True) as bar:
        yield _Counting(handle, bar)


class _Counting:
    """A binary file whose reads move a progress bar."""

    def __init__(self, handle: BufferedReader, bar: Any):
        self._handle, self._bar = handle, bar

    def read(self, size: int = -1) -> bytes:
        data = self._handle.read(size)
        self._bar.update(len(data))
        return data

    def readinto(self, buffer: bytearray | memoryview) -> int:
        count = self._handle.readinto(buffer)
        self._bar.update(count)
        return count
