"""Loader for the Vietnamese vocabularies kept as data files in ``planparse/data``."""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import Any


@lru_cache(maxsize=None)
def load(name: str) -> Any:
    """Load ``planparse/data/<name>`` (JSON). Cached: vocabularies are read once per process."""
    with resources.files("planparse.data").joinpath(name).open("r", encoding="utf-8") as fh:
        return json.load(fh)
