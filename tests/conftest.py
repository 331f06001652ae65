from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpora"

SEEDS = {
    "binh_dinh": "binh-dinh_2018_tro-giup-xa-hoi.txt",
    "binh_phuoc": "binh-phuoc_2021_cong-tac-xa-hoi.txt",
    "dong_nai": "dong-nai_2018_tro-giup-xa-hoi.txt",
    "kon_tum": "kon-tum-city_2018_tro-giup-xa-hoi.txt",
    "vinh_phuc": "vinh-phuc_2023_de-an-tro-giup-xa-hoi.txt",
}


def corpus_files():
    return sorted(p for p in CORPUS.iterdir() if p.suffix in {".txt", ".md"})


_cache = {}


def parsed(name):
    """Parse a corpus file once per test session."""
    import planparse

    path = CORPUS / SEEDS.get(name, name)
    if path not in _cache:
        _cache[path] = planparse.parse(path)
    return _cache[path]


@pytest.fixture(scope="session")
def seed():
    return parsed

# Regex-safety tests feed 1 MB adversarial lines: catastrophic backtracking would take minutes,
# linear work well under a second. The bound is generous because CI machines are shared; speed
# itself is measured in benchmarks/, not here.
BOUNDED_CPU_SECONDS = 10.0
