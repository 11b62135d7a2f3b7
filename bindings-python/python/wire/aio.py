"""Read frames of any wire protocol from an asyncio ``StreamReader``.

``await read_frame(reader, wire.broker)`` returns the next frame (None at a clean end of
stream); ``async for frame in frames(reader, wire.dataexchange): ...`` yields every frame. Both
keep one decoder per reader and protocol, so bytes read past a frame are kept for the next call
and the two can be mixed. A stream that ends inside a frame raises ``wire.IncompleteError``; a
codec error raises its ``wire.WireError`` (the stream is then broken: frames are never
resynchronised).
"""

from __future__ import annotations

import asyncio
import weakref
from collections import deque
from typing import Any, AsyncIterator, Callable, Deque, Dict, Iterable, Optional, Protocol, Tuple, TypeVar

__all__ = ["frames", "read_frame"]

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)

CHUNK = 64 * 1024
"""Bytes asked of the reader at a time."""


class _Decoder(Protocol[T_co]):
    def feed(self, data: bytes) -> Iterable[T_co]: ...

    def finish(self) -> None: ...


class ProtocolModule(Protocol[T_co]):
    """A ``wire.<protocol>`` module, as far as these helpers use it."""

    @property
    def Decoder(self) -> Callable[..., _Decoder[T_co]]: ...


class _State:
    """A reader's decoder for one protocol and the frames it decoded but nobody took yet."""

    def __init__(self, decoder: _Decoder[Any]) -> None:
        self.decoder = decoder
        self.pending: Deque[Any] = deque()


_states: "weakref.WeakKeyDictionary[asyncio.StreamReader, Dict[Tuple[str, Tuple[Tuple[str, Any], ...]], _State]]" = (
    weakref.WeakKeyDictionary()
)


def _state(reader: asyncio.StreamReader, module: ProtocolModule[Any], limits: Dict[str, Any]) -> _State:
    key = (getattr(module, "__name__", repr(module)), tuple(sorted(limits.items())))
    per_reader = _states.setdefault(reader, {})
    state = per_reader.get(key)
    if state is None:
        state = per_reader[key] = _State(module.Decoder(**limits))
    return state


async def read_frame(
    reader: asyncio.StreamReader, protocol_module: ProtocolModule[T], **limits: Any
) -> Optional[T]:
    """The next frame from ``reader``, or None when the stream ends between frames.

    ``limits`` are the protocol's keyword options (``max_frame_size=...``, ``layout="3x"``, ...).
    """
    state = _state(reader, protocol_module, limits)
    while not state.pending:
        data = await reader.read(CHUNK)
        if not data:
            state.decoder.finish()
            return None
        state.pending.extend(state.decoder.feed(data))
    frame: T = state.pending.popleft()
    return frame


async def frames(
    reader: asyncio.StreamReader, protocol_module: ProtocolModule[T], **limits: Any
) -> AsyncIterator[T]:
    """Every frame from ``reader`` until the stream ends."""
    while True:
        frame = await read_frame(reader, protocol_module, **limits)
        if frame is None:
            return
        yield frame
