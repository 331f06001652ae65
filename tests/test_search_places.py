"""planparse.search.places: provinces before and after the 2025 merger, district-level towns."""

from __future__ import annotations

import pytest

from planparse.search.places import gazetteer
from planparse.textkey import fold
from planparse.vocab import load


def test_63_provinces_merge_into_34():
    g = gazetteer()
    assert len(g.provinces) == 63 and len(g.new_units) == 34
    assert len({fold(n) for n in g.provinces}) == 63  # no two names fold alike
    assert g.province_now("Bình Định") == "Gia Lai"
    assert g.province_now("Kon Tum") == "Quảng Ngãi"
    assert g.province_now("Hà Nội") == "Hà Nội"
    # a plan issued after the merger names the new unit already
    assert g.province_now("Cần Thơ", "2025-11-21") == "Cần Thơ"


def test_every_district_belongs_to_a_known_province():
    g = gazetteer()
    for d in load("gazetteer.json")["districts"]:
        assert d["province"] in g.provinces, d


@pytest.mark.parametrize("typed, expected", [
    ("Bình Định", ("province", "Bình Định")), ("binh dinh", ("province", "Bình Định")),
    ("tỉnh Bình Định", ("province", "Bình Định")), ("Gia Lai", ("province", "Gia Lai")),
    ("TP.HCM", ("province", "Thành phố Hồ Chí Minh")), ("Hồ Chí Minh", ("province", "Thành phố Hồ Chí Minh")),
    ("Huế", ("province", "Huế")), ("Khánh Hoà", ("province", "Khánh Hòa")),
    ("Biên Hòa", ("locality", "Biên Hòa")), ("thành phố Quy Nhơn", ("locality", "Quy Nhơn")),
    ("Atlantis", None),
])
def test_resolve_what_a_user_types(typed, expected):
    assert gazetteer().resolve(typed) == expected


@pytest.mark.parametrize("issuer, place, issued, expected", [
    ("Ủy ban nhân dân tỉnh Bình Định", None, "2018-01-01", (None, "Bình Định", "Gia Lai", "province")),
    ("UBND TỈNH ĐỒNG NAI", None, None, (None, "Đồng Nai", "Đồng Nai", "province")),
    ("Ủy ban nhân dân thành phố Kon Tum", None, None, ("thành phố Kon Tum", "Kon Tum", "Quảng Ngãi", "district")),
    ("Ủy ban nhân dân thành phố Cần Thơ", "Cần Thơ", "2025-11-21", (None, "Cần Thơ", "Cần Thơ", "province")),
    ("Ủy ban nhân dân thành phố Biên Hòa", None, None, ("thành phố Biên Hòa", "Đồng Nai", "Đồng Nai", "district")),
    ("Ủy ban nhân dân thị xã Long Khánh", None, None, ("thị xã Long Khánh", "Đồng Nai", "Đồng Nai", "district")),
    ("Thủ tướng Chính phủ", "Hà Nội", None, (None, None, None, "national")),
    ("Bộ Tài chính", "Hà Nội", None, (None, None, None, "national")),
    (None, "Sơn La", None, (None, "Sơn La", "Sơn La", "province")),
    (None, None, None, (None, None, None, None)),
])
def test_place_of_a_plan(issuer, place, issued, expected):
    p = gazetteer().place_of(issuer, place, issued)
    assert (p.locality, p.province, p.province_now, p.scope) == expected
