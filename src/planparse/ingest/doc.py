"""Word 97-2003 (.doc) reader: converted to DOCX by LibreOffice, then read as DOCX.

- ``soffice``/``libreoffice`` (or the program named by ``PLANPARSE_SOFFICE``) runs
  ``--headless --convert-to docx --outdir TMP`` with its own throw-away user profile (so it
  does not clash with a running LibreOffice) and a timeout (``PLANPARSE_SOFFICE_TIMEOUT``,
  default 120 s); the DOCX it writes goes through ``read_docx``.
- Files named .doc that are something else are read as what they are: a DOCX (ZIP) directly,
  a web page ("Word HTML", common on Vietnamese portals) by the HTML reader; an RTF file is
  converted by LibreOffice like a .doc; a PDF or plain text gives a clear error.
- No LibreOffice: an ``UnsupportedFormatError`` naming the missing tool and how to install it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Optional

from ..errors import DecodeError, UnsupportedFormatError
from .docx import read_docx, sniff

DEFAULT_TIMEOUT = 120.0


def find_soffice() -> Optional[str]:
    """Path of the LibreOffice program: ``PLANPARSE_SOFFICE``, else ``soffice``/``libreoffice`` on PATH."""
    named = os.environ.get("PLANPARSE_SOFFICE")
    if named:
        return shutil.which(named) or (named if os.path.isfile(named) and os.access(named, os.X_OK) else None)
    return shutil.which("soffice") or shutil.which("libreoffice")


def _timeout() -> float:
    try:
        return float(os.environ.get("PLANPARSE_SOFFICE_TIMEOUT", DEFAULT_TIMEOUT))
    except ValueError:
        return DEFAULT_TIMEOUT


def convert_to_docx(data: bytes, path: str, suffix: str = ".doc") -> bytes:
    """DOCX bytes of a .doc/.rtf file, converted by LibreOffice. Raises a ``PlanParseError``."""
    soffice = find_soffice()
    if soffice is None:
        raise UnsupportedFormatError(
            "reading Word 97-2003 .doc files needs LibreOffice (soffice) on PATH: "
            "apt-get install libreoffice-writer-nogui (or save the file as .docx in Word)",
            path,
        )
    with tempfile.TemporaryDirectory(prefix="planparse-doc-") as tmp:
        src = Path(tmp) / ("input" + suffix)
        src.write_bytes(data)
        outdir = Path(tmp) / "out"
        outdir.mkdir()
        profile = (Path(tmp) / "profile").as_uri()
        cmd = [soffice, f"-env:UserInstallation={profile}", "--headless", "--norestore", "--convert-to", "docx", "--outdir", str(outdir), str(src)]
        timeout = _timeout()
        try:
            proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
        except OSError as exc:
            raise UnsupportedFormatError(f"cannot run LibreOffice ({soffice}): {exc.strerror}", path) from None
        try:
            _, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill(proc)
            raise DecodeError(f"LibreOffice did not convert the .doc within {timeout:g} s (set PLANPARSE_SOFFICE_TIMEOUT)", path) from None
        produced = sorted(outdir.glob("*.docx"))
        if proc.returncode != 0 or not produced:
            detail = (err or b"").decode("utf-8", "replace").strip().splitlines()
            reason = detail[-1][:200] if detail else f"exit code {proc.returncode}"
            raise DecodeError(f"LibreOffice could not convert the .doc ({reason}); is it a corrupt Word file?", path)
        return produced[0].read_bytes()


def _kill(proc: subprocess.Popen) -> None:
    """End the converter and anything it started (its own process group)."""
    try:
        os.killpg(proc.pid, 9)
    except (ProcessLookupError, PermissionError, OSError):
        proc.kill()
    proc.wait()


def read_doc(data: bytes, path: str, encoding: Optional[str] = None) -> "Decoded":
    """Reader for .doc files (``register_reader``)."""
    kind = sniff(data)
    if kind == "a ZIP archive":
        decoded = read_docx(data, path, encoding, fmt="docx", extractor="python-docx (a .docx named .doc)")
        return decoded
    if kind in ("an HTML page", "an XML file") and b"<html" in data[:4096].lower():
        from .html import read_html

        decoded = read_html(data, path, encoding)
        decoded.info.extractor = f"{decoded.info.extractor}; a web page named .doc"
        return decoded
    if kind == "a PDF file":
        raise DecodeError("not a Word .doc file: it is a PDF file (rename it to .pdf)", path)
    if kind in ("a text file", "a UTF-16 text file"):
        raise DecodeError("not a Word .doc file: it is a text file (rename it to .txt)", path)
    if kind is not None and kind.startswith("a password-protected"):
        raise DecodeError("the Word document is password-protected (encrypted); remove the password first", path)
    if kind not in ("an RTF document",) and not (kind or "").startswith("a Word 97-2003"):
        raise DecodeError("not a Word .doc file (no OLE2 or RTF signature)", path)
    suffix = ".rtf" if kind == "an RTF document" else ".doc"
    converted = convert_to_docx(data, path, suffix)
    return read_docx(converted, path, encoding, fmt="doc", extractor="libreoffice+python-docx")
