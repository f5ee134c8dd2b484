"""Frozen results: the read-only mapping and the array freezing every result type uses.

One function, one return type: where a function has more to say than a number it returns
a frozen dataclass. Arrays inside are made read-only so that a result cannot be changed
after the solver checked it. Each domain keeps its own result types (``otdiv.exact.results``,
``otdiv.bias.results``, ``otdiv.divergences.results``, ``otdiv._sample_results``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import fields
from typing import Any

import numpy as np

__all__ = ["ReadOnlyMapping", "freeze_arrays"]


class ReadOnlyMapping(Mapping):
    """A read-only copy of a mapping that, unlike ``types.MappingProxyType``, pickles."""

    def __init__(self, data: Mapping[Any, Any] | Iterable[tuple[Any, Any]] = ()) -> None:
        self._data = dict(data)

    def __getitem__(self, key: Any) -> Any:
        return self._data[key]

    def __iter__(self) -> Iterator[Any]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __repr__(self) -> str:
        return f"ReadOnlyMapping({self._data!r})"


def freeze_arrays(result: Any) -> None:
    """Make every ndarray field of a frozen dataclass read-only.

    An array the result does not own (a view of, or an array still writeable by, the
    caller) is copied first, so freezing never changes the caller's own arrays.
    """
    for field in fields(result):
        value = getattr(result, field.name)
        if isinstance(value, np.ndarray) and value.flags.writeable:
            if not value.flags.owndata:
                value = value.copy()
                object.__setattr__(result, field.name, value)
            value.setflags(write=False)
