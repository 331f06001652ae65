"""planparse — Vietnamese government plans (Kế hoạch, Đề án, Quyết định …) to typed JSON.

    >>> import planparse
    >>> doc = planparse.parse("corpora/dong-nai_2018_tro-giup-xa-hoi.txt")
    >>> doc.metadata.period.end_year
    2020
"""

from .errors import DecodeError, InputError, ParseTimeout, PlanParseError, UnsupportedFormatError
from .models import SCHEMA_VERSION, PlanDocument
from .pipeline import parse, parse_text

__version__ = "0.1.0"

__all__ = [
    "parse",
    "parse_text",
    "PlanDocument",
    "PlanParseError",
    "InputError",
    "DecodeError",
    "UnsupportedFormatError",
    "ParseTimeout",
    "SCHEMA_VERSION",
    "__version__",
]
