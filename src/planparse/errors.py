"""The one exception hierarchy. The CLI turns any PlanParseError into exit code 2."""

from __future__ import annotations

from typing import Optional


class PlanParseError(Exception):
    """Base class: a message that names the input and the problem."""

    def __init__(self, message: str, path: Optional[str] = None):
        self.path = path
        self.reason = message
        super().__init__(f"{path}: {message}" if path else message)


class InputError(PlanParseError):
    """The input cannot be read: missing, a directory, empty, too large."""


class DecodeError(PlanParseError):
    """The bytes are not text in any supported encoding (binary or corrupt)."""


class UnsupportedFormatError(PlanParseError):
    """No reader handles this kind of file."""


class ParseTimeout(PlanParseError):
    """Parsing took longer than the allowed time limit."""
