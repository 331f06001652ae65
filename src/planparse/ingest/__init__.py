"""Stage 1 — ingest: read a file into decoded text, with a clear error for bad input.

Readers are registered per file extension (``register_reader``) so formats (DOCX, PDF, HTML)
plug in without touching the rest of the pipeline; a reader may be given as "module:function"
so its heavy dependencies are imported only when such a file is read. The plain-text reader detects
UTF-8 (with or without BOM) and UTF-16 (BOM, or the NUL-byte pattern of a BOM-less file),
and falls back to Windows-1258 with a low confidence and a warning.
"""

from __future__ import annotations

import codecs
import hashlib
import importlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional, Union

from ..errors import DecodeError, InputError, UnsupportedFormatError
from ..models import SourceInfo, Warning

DEFAULT_MAX_BYTES = 50 * 1024 * 1024


@dataclass
class Decoded:
    text: str
    info: SourceInfo
    warnings: list[Warning] = field(default_factory=list)


Reader = Callable[[bytes, str, Optional[str]], Decoded]
_READERS: dict[str, Union[Reader, str]] = {}


def register_reader(extensions: list[str], reader: Union[Reader, str]) -> None:
    """Register ``reader(data, path, encoding) -> Decoded`` for extensions like ".txt".

    ``reader`` may be a "package.module:function" string, imported on first use.
    """
    for ext in extensions:
        _READERS[ext.lower()] = reader


def _resolve(reader: Union[Reader, str]) -> Reader:
    if isinstance(reader, str):
        module, _, func = reader.partition(":")
        return getattr(importlib.import_module(module), func)
    return reader


def supported_extensions() -> list[str]:
    return sorted(_READERS)


def decode_text(data: bytes, path: str = "<text>", encoding: Optional[str] = None) -> tuple[str, str, float, list[Warning]]:
    """Decode bytes of a text file: (text, encoding, confidence, warnings)."""
    warnings: list[Warning] = []
    if encoding:
        try:
            return data.decode(encoding), encoding, 1.0, warnings
        except (UnicodeDecodeError, LookupError) as exc:
            raise DecodeError(f"cannot decode as {encoding}: {exc}", path) from None
    if data.startswith(codecs.BOM_UTF8):
        return _strict(data[3:], "utf-8", path), "utf-8-sig", 1.0, warnings
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _strict(data, "utf-16", path), "utf-16", 1.0, warnings
    sample = data[:4096]
    if sample and sample.count(0) > len(sample) // 4:
        # BOM-less UTF-16: NUL bytes on every other position
        even = sample[0::2].count(0)
        odd = sample[1::2].count(0)
        enc = "utf-16-le" if odd > even else "utf-16-be"
        try:
            return data.decode(enc), enc, 0.8, warnings
        except UnicodeDecodeError:
            raise DecodeError("binary file (NUL bytes), not text", path) from None
    if b"\x00" in sample:
        raise DecodeError("binary file (NUL bytes), not text", path)
    try:
        return data.decode("utf-8"), "utf-8", 1.0, warnings
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1258")
    except UnicodeDecodeError:
        raise DecodeError("not valid UTF-8, UTF-16 or Windows-1258 text", path) from None
    controls = sum(1 for ch in text[:4096] if ord(ch) < 32 and ch not in "\r\n\t\f")
    if controls > 8:
        raise DecodeError("binary file (control bytes), not text", path)
    warnings.append(Warning(code="encoding_guess", message="not UTF-8; decoded as Windows-1258"))
    return text, "cp1258", 0.5, warnings


def _strict(data: bytes, enc: str, path: str) -> str:
    try:
        return data.decode(enc)
    except UnicodeDecodeError as exc:
        raise DecodeError(f"invalid {enc} text at byte {exc.start}", path) from None


def _read_text(data: bytes, path: str, encoding: Optional[str]) -> Decoded:
    text, enc, conf, warnings = decode_text(data, path, encoding)
    fmt = "md" if path.lower().endswith(".md") else "txt"
    info = SourceInfo(path=path, format=fmt, encoding=enc, encoding_confidence=conf, extractor="text")
    return Decoded(text=text, info=info, warnings=warnings)


register_reader([".txt", ".text", ".md", ".markdown", ""], _read_text)


def read_file(path: str | os.PathLike, *, encoding: Optional[str] = None, max_bytes: Optional[int] = None) -> Decoded:
    """Read and decode one input file. Raises a ``PlanParseError`` naming the file."""
    p = Path(path)
    name = str(path)
    limit = DEFAULT_MAX_BYTES if max_bytes is None else max_bytes
    if not p.exists():
        raise InputError("no such file", name)
    if p.is_dir():
        raise InputError("is a directory, not a file", name)
    try:
        size = p.stat().st_size
    except OSError as exc:  # pragma: no cover - permissions, races
        raise InputError(f"cannot read: {exc.strerror}", name) from None
    if size > limit:
        raise InputError(f"file is {size} bytes, above the limit of {limit} bytes (see --max-bytes)", name)
    if size == 0:
        raise InputError("empty file", name)
    reader = _READERS.get(p.suffix.lower())
    if reader is None:
        raise UnsupportedFormatError(
            f"unsupported file type {p.suffix!r} (supported: {', '.join(e for e in supported_extensions() if e)})", name
        )
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", name) from None
    decoded = _resolve(reader)(data, name, encoding)
    if not decoded.text.strip():
        raise InputError("no text in file (only white space)", name)
    decoded.info.sha256 = hashlib.sha256(data).hexdigest()
    decoded.info.size = size
    return decoded
