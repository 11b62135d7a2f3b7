"""Shared by the vector suites: loading `vectors/*.json`, stream decoding, error kinds."""

from __future__ import annotations

import json
import pathlib
from typing import Any, Callable, Dict, List, Optional, Tuple, Type

import pytest

import wire

VECTORS = pathlib.Path(__file__).resolve().parents[2] / "vectors"

KIND = {
    "incomplete": wire.IncompleteError,
    "malformed": wire.MalformedError,
    "too_large": wire.FrameTooLargeError,
    "unsupported_version": wire.UnsupportedVersionError,
    "invalid_utf8": wire.InvalidUtf8Error,
    "trailing_bytes": wire.TrailingBytesError,
    "invalid_argument": wire.InvalidArgumentError,
}


def expectation(file: str, section_key: str, entry: Dict[str, Any]) -> Dict[str, Any]:
    """wire's outcome for an entry, from `vectors/expectations.json` (empty: none listed)."""
    listed: Dict[str, Any] = EXPECTATIONS["files"][file].get(section_key, {}).get(entry["name"], {})
    return listed


def expected_error(file: str, section_key: str, entry: Dict[str, Any]) -> Type[wire.WireError]:
    """The error `vectors/expectations.json` gives an entry that wire refuses."""
    listed = expectation(file, section_key, entry)
    assert "error" in listed, f"{file} {section_key} {entry['name']}: no expected error"
    return KIND[listed["error"]]


def load(name: str) -> Dict[str, Any]:
    with open(VECTORS / name) as f:
        doc: Dict[str, Any] = json.load(f)
    return doc


EXPECTATIONS = load("expectations.json")


def section(doc: Dict[str, Any], key: str) -> List[Dict[str, Any]]:
    entries: List[Dict[str, Any]] = doc.get(key) or []
    return entries


def params(entries: List[Dict[str, Any]]) -> Any:
    """pytest parameters named after the entries."""
    return pytest.mark.parametrize(
        "entry", entries, ids=[e.get("name", str(i)) for i, e in enumerate(entries)]
    )


def hex_of(entry: Dict[str, Any], key: str = "hex") -> bytes:
    return bytes.fromhex(entry[key])


def message_of(entry: Dict[str, Any]) -> Dict[str, Any]:
    return {"type": entry["type"], "fields": entry["fields"]}


def stream_decode(module: Any, data: bytes, chunk: int, **options: Any) -> List[Any]:
    """Every frame of `data` fed in `chunk`-byte pieces, then the end-of-stream check."""
    decoder = module.Decoder(**options)
    frames: List[Any] = []
    for at in range(0, len(data), max(chunk, 1)):
        frames.extend(decoder.feed(data[at : at + max(chunk, 1)]))
    frames.extend(decoder.feed(b""))
    decoder.finish()
    return frames


def outcome(f: Callable[[], Any]) -> Tuple[Optional[Any], Optional[wire.WireError]]:
    try:
        return f(), None
    except wire.WireError as e:
        return None, e


def error_key(e: wire.WireError) -> Tuple[str, Optional[str], Optional[int], str]:
    return (e.code, e.protocol, e.offset, e.reason)


def assert_stream_error_matches(
    module: Any, data: bytes, expected: Type[wire.WireError], **options: Any
) -> None:
    """Whole and byte-by-byte stream decoding agree; a stream failure has the expected kind."""
    whole, whole_err = outcome(lambda: stream_decode(module, data, len(data), **options))
    bytewise, byte_err = outcome(lambda: stream_decode(module, data, 1, **options))
    if whole_err is not None or byte_err is not None:
        assert whole_err is not None and byte_err is not None, "chunking changed the outcome"
        assert error_key(whole_err) == error_key(byte_err), "chunking changed the error"
        if expected is not wire.TrailingBytesError:
            assert isinstance(whole_err, expected), whole_err
    else:
        assert whole is not None and bytewise is not None
        assert len(whole) == len(bytewise)


def assert_rejected(
    module: Any, data: bytes, expected: Type[wire.WireError], **options: Any
) -> None:
    """One-shot decode refuses with the expected kind, and streams agree."""
    with pytest.raises(expected):
        module.decode(data, **options)
    assert_stream_error_matches(module, data, expected, **options)
