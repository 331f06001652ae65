"""Stage 1 — ingest: read a file into decoded text, with a clear error for bad input.

Readers are registered per file extension (``register_reader``) so formats (DOCX, PDF, HTML)
plug in without touching the rest of the pipeline; a reader may be given as "module:function"
so its heavy dependencies are imported only when such a file is read. The plain-text reader detects
UTF-8 (with or without BOM) and UTF-16 (BOM, or the NUL-byte pattern of a BOM-less file),
repairs UTF-8 holding legacy-font mojibake, and otherwise scores the legacy Vietnamese encodings
(TCVN3/ABC, VNI-Windows, VISCII, Windows-1258; ``ingest.encodings``) and keeps the most
Vietnamese-looking decoding, with its confidence and a warning.
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
    """Decode bytes of a text file: (text, encoding, confidence, warnings).

    - ``encoding`` given: "utf-8", "utf-16", any Python codec, or a legacy Vietnamese encoding
      "tcvn3" (ABC, .VnTime), "vni" (VNI-Windows), "viscii", "cp1258" (Windows-1258), or
      "utf-8+tcvn3" / "utf-8+vni" for UTF-8 files holding legacy-font mojibake; confidence 1.0.
    - BOM (UTF-8, UTF-16) or the NUL-byte pattern of BOM-less UTF-16.
    - Valid UTF-8; when it reads like TCVN3/VNI bytes shown with a Latin font ("KÕ ho¹ch",
      "Keá hoaïch") it is repaired, with an ``encoding_repaired`` warning.
    - Otherwise the legacy encoding whose decoding looks most Vietnamese (``encodings.detect``),
      with its confidence and an ``encoding_guess`` warning naming the runner-up.

    Legacy decodings are returned in Unicode NFC (Windows-1258 and VN1 spell tones as combining
    marks); UTF-8/UTF-16 text is returned as it is, for ``normalise`` to record its clean-up.
    """
    warnings: list[Warning] = []
    if encoding:
        return _decode_named(data, path, encoding)
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
    from . import encodings as legacy

    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    if text is not None:
        repair = legacy.repair_mojibake(text)
        if repair is None:
            return text, "utf-8", 1.0, warnings
        warnings.append(
            Warning(
                code="encoding_repaired",
                message=(
                    f"UTF-8 text holding {legacy.LABELS[repair.encoding]} mojibake (legacy-font bytes shown as Windows-1252); "
                    f"repaired {repair.lines} lines (confidence {repair.confidence:.2f}); use --encoding utf-8 to keep it as it is"
                ),
            )
        )
        return repair.text, f"utf-8+{repair.encoding}", repair.confidence, warnings
    found = legacy.detect(data)
    _reject_binary(found.text, path)
    warnings.append(
        Warning(
            code="encoding_guess",
            message=f"not UTF-8; decoded as {found.describe()}, confidence {found.confidence:.2f}; override with --encoding",
        )
    )
    return found.text, found.encoding, found.confidence, warnings


def _reject_binary(text: str, path: str) -> None:
    """Refuse a decoding that is mostly control characters (a binary file read as text)."""
    head = text[:4096]
    controls = sum(1 for ch in head if ord(ch) < 32 and ch not in "\r\n\t\f")
    if controls > 8 and controls > len(head) // 200:
        raise DecodeError("binary file (control bytes), not text", path)


def _decode_named(data: bytes, path: str, encoding: str) -> tuple[str, str, float, list[Warning]]:
    """Decode with an encoding the user named (see ``decode_text``); a clear error otherwise."""
    from . import encodings as legacy

    try:
        name = legacy.canonical_name(encoding)
    except LookupError:
        raise DecodeError(
            f"unknown encoding {encoding!r} (use utf-8, utf-16, cp1258, tcvn3, vni, viscii, utf-8+tcvn3, utf-8+vni or a Python codec name)",
            path,
        ) from None
    first, _, repair_as = name.partition("+")
    if first in legacy.LEGACY:
        return legacy.decode(data, first), first, 1.0, []
    try:
        text = data.decode(first)
    except UnicodeDecodeError as exc:
        raise DecodeError(f"cannot decode as {encoding}: {exc}", path) from None
    if repair_as:
        if repair_as not in legacy.LEGACY:
            raise DecodeError(f"unknown legacy encoding {repair_as!r} after '+' (use tcvn3, vni, viscii or cp1258)", path)
        lines = []
        for line in text.split("\n"):
            raw = legacy._to_bytes(line) if not line.isascii() else None
            lines.append(line if raw is None else legacy.decode(raw, repair_as))
        text = "\n".join(lines)
    return text, name, 1.0, []


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
    digest = hashlib.sha256(data).hexdigest()
    decoded = _resolve(reader)(data, name, encoding)
    del data
    if len(decoded.text) > limit:
        # a compressed format (DOCX, PDF) cannot give the pipeline more text than a .txt file may hold
        raise InputError(
            f"extracted text is {len(decoded.text)} characters, above the limit of {limit} (see --max-bytes)", name
        )
    if not decoded.text.strip():
        raise InputError("no text in file (only white space)", name)
    decoded.info.sha256 = digest
    decoded.info.size = size
    return decoded

# Word and web formats (issue 5): imported on first use, so python-docx/lxml stay optional.
register_reader([".docx"], "planparse.ingest.docx:read_docx")
register_reader([".html", ".htm", ".xhtml"], "planparse.ingest.html:read_html")
register_reader([".doc"], "planparse.ingest.doc:read_doc")

# PDF (issue 5): pypdfium2 text layer + pdfplumber tables, imported on first use.
register_reader([".pdf"], "planparse.ingest.pdf:read_pdf")
