"""Vietnamese number and date surface forms, shared by the extractors.

Numbers: "." groups thousands and "," is the decimal mark ("1.500" = 1500, "1,5" = 1.5,
"29.040.732.000" = 29040732000, "12,5" = 12.5, "01" = 1). A lone "." followed by exactly
three digits is a thousands separator; English-style "1,500" (comma + three digits, no
other separator) is read as 1500 as well, since Vietnamese decimals rarely have exactly
three digits after the comma in plan texts.

Dates: "25/4/2017", "25 /11/ 2020", "09/10 /2023", "25-4-2017", "ngày 16 tháng 10 năm
2023", "tháng 7/2017" (month precision is not a date).
"""

from __future__ import annotations

import datetime as _dt
from functools import lru_cache
from typing import Optional

import regex as re

NUMBER = r"\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+(?:,\d+)?"
_NUMBER_RE = re.compile(rf"(?:{NUMBER})")

DATE_NUMERIC = r"(?P<d>\d{1,2})\s?[/\-.]\s?(?P<m>\d{1,2})\s?[/\-.]\s?(?P<y>\d{4})"
DATE_WORDS = r"ngày\s+(?P<d2>\d{1,2})\s+tháng\s+(?P<m2>\d{1,2})\s+năm\s+(?P<y2>\d{4})"
DATE_RE = re.compile(rf"(?:{DATE_NUMERIC})|(?:{DATE_WORDS})", re.IGNORECASE)


_GROUPED = re.compile(r"\d{1,3}(?:\.\d{3})+(?:,\d+)?")
_COMMA_GROUPED = re.compile(r"\d{1,3}(?:,\d{3})+")
_COMMA_DECIMAL = re.compile(r"\d+,\d+")
_DOT_DECIMAL = re.compile(r"\d+\.\d{1,2}")
_DIGITS = re.compile(r"\d+")


@lru_cache(maxsize=4096)
def parse_vn_number(raw: str) -> Optional[float]:
    """Parse a Vietnamese-formatted number; ``None`` when it is not one."""
    s = raw.strip().replace(" ", "")
    if not s or not s[0].isdigit():
        return None
    if _GROUPED.fullmatch(s):
        s = s.replace(".", "").replace(",", ".")
    elif _COMMA_GROUPED.fullmatch(s) and s.count(",") > 1:
        s = s.replace(",", "")
    elif _COMMA_DECIMAL.fullmatch(s):
        s = s.replace(",", ".")
    elif _DOT_DECIMAL.fullmatch(s):  # stray English decimal "12.5"
        pass
    elif not _DIGITS.fullmatch(s):
        return None
    try:
        return float(s)
    except ValueError:  # pragma: no cover - guarded by the patterns above
        return None


def as_int_if_whole(value: float) -> float | int:
    return int(value) if value == int(value) else value


def make_date(day: int, month: int, year: int) -> Optional[str]:
    try:
        return _dt.date(year, month, day).isoformat()
    except ValueError:
        return None


def parse_vn_date(raw: str) -> Optional[str]:
    """First date in ``raw`` as ISO ``YYYY-MM-DD``; ``None`` if there is none or it is invalid."""
    m = DATE_RE.search(raw)
    if not m:
        return None
    if m.group("d") is not None:
        return make_date(int(m.group("d")), int(m.group("m")), int(m.group("y")))
    return make_date(int(m.group("d2")), int(m.group("m2")), int(m.group("y2")))
