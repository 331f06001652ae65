"""The gazetteer: provinces before and after the 2025 merger, and the district-level units below them.

Plans name places as they were when issued. In 2025 Viet Nam merged its 63 provinces into 34
(``data/provinces.json``: each pre-2025 unit with ``after_2025``); district-level units (thành
phố thuộc tỉnh, thị xã, huyện, quận) are in ``data/gazetteer.json``. Every indexed document gets

- ``locality``: the district-level unit that issued it ("thành phố Kon Tum"), if any;
- ``province``: the province as named when the plan was issued ("Kon Tum");
- ``province_now``: the province it belongs to after the merger ("Quảng Ngãi");

and ``--province NAME`` matches either name (or the locality), written with or without accents.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Optional

import regex as re

from ..textkey import fold
from ..vocab import load


@dataclass(frozen=True)
class Place:
    locality: Optional[str] = None
    province: Optional[str] = None
    province_now: Optional[str] = None
    scope: Optional[str] = None  # "national" | "province" | "district" | None (unknown)


# Issuers whose plans are national, whatever city is written in the header ("Hà Nội, ngày …").
_CENTRAL = ("chinh phu", "thu tuong", "bo ", "quoc hoi", "uy ban thuong vu quoc hoi", "ban chap hanh trung uong",
            "ban bi thu", "dang doan quoc hoi", "van phong chinh phu", "van phong trung uong", "toa an nhan dan toi cao",
            "vien kiem sat nhan dan toi cao", "kiem toan nha nuoc", "ngan hang nha nuoc", "ban chi dao trung uong")
_LEVEL = r"(?P<level>tinh|thanh pho|tp\.?|huyen|quan|thi xa)\s+"


class Gazetteer:
    def __init__(self) -> None:
        data = load("provinces.json")
        gaz = load("gazetteer.json")
        self.merger_effective: str = gaz["merger_effective"]
        self.provinces = {p["name"]: p for p in data["provinces"]}
        self.new_units = sorted({p["after_2025"] for p in data["provinces"]})
        self.by_fold: dict[str, str] = {}  # folded name or alias → canonical province (pre-2025 or new)
        for name in self.provinces:
            self.by_fold[fold(name)] = name
            if name.startswith("Thành phố "):
                self.by_fold[fold(name[len("Thành phố "):])] = name
        for alias, name in data.get("aliases", {}).items():
            self.by_fold.setdefault(fold(alias), name)
        for name in self.new_units:
            self.by_fold.setdefault(fold(name), name)
        self.by_fold.setdefault("tp hcm", "Thành phố Hồ Chí Minh")
        self.by_fold.setdefault("tphcm", "Thành phố Hồ Chí Minh")
        self.districts: dict[str, list[dict]] = {}
        for d in gaz["districts"]:
            self.districts.setdefault(fold(d["name"]), []).append(d)
        names = sorted(self.by_fold, key=len, reverse=True)
        self._province_re = re.compile(r"(?<![\p{L}\p{N}])(?:" + "|".join(re.escape(n) for n in names) + r")(?![\p{L}\p{N}])")
        dnames = sorted(self.districts, key=len, reverse=True)
        self._admin_re = re.compile(_LEVEL + r"(?P<name>" + "|".join(re.escape(n) for n in names + dnames) + r")(?![\p{L}\p{N}])")

    # ------------------------------------------------------------ names

    def province_now(self, name: str, issued: Optional[str] = None) -> str:
        """The post-2025 province of ``name`` (a canonical name); post-merger plans already use it."""
        if issued and issued >= self.merger_effective and name in self.new_units:
            return name
        p = self.provinces.get(name)
        return p["after_2025"] if p else name

    def resolve(self, query: str) -> tuple[str, str] | None:
        """What a user typed for ``--province``: ("province", canonical) or ("locality", name)."""
        f = fold(query).strip()
        f = re.sub(r"^(?:tinh|thanh pho|tp\.?)\s+", "", f) if f not in self.by_fold else f
        if f in self.by_fold:
            return "province", self.by_fold[f]
        g = re.sub(r"^(?:thanh pho|tp\.?|huyen|quan|thi xa)\s+", "", fold(query).strip())
        if g in self.districts:
            return "locality", self.districts[g][0]["name"]
        return None

    # ------------------------------------------------------------ documents

    def place_of(self, issuer: Optional[str], place: Optional[str], issued: Optional[str]) -> Place:
        """Where a plan belongs, from its issuing body (and the place line when the issuer says nothing)."""
        fi = fold(issuer or "")
        if fi and fi.startswith(_CENTRAL):
            return Place(scope="national")
        found = self._from_admin(fi, issued) if fi else None
        if found:
            return found
        if fi:
            m = self._province_re.search(fi)
            if m:
                return self._province_place(self.by_fold[m.group()], issued)
        if place:
            fp = fold(place)
            m = self._admin_re.search(fp)
            if m:
                found = self._from_admin(fp, issued)
                if found:
                    return found
            if fp in self.by_fold:
                return self._province_place(self.by_fold[fp], issued)
            if fp in self.districts and len(self.districts[fp]) == 1:
                return self._district_place(self.districts[fp][0], issued)
        return Place()

    def _province_place(self, name: str, issued: Optional[str]) -> Place:
        return Place(province=name, province_now=self.province_now(name, issued), scope="province")

    def _district_place(self, d: dict, issued: Optional[str]) -> Place:
        prov = d["province"]
        return Place(locality=f"{d['kind']} {d['name']}", province=prov, province_now=self.province_now(prov, issued), scope="district")

    def _from_admin(self, folded: str, issued: Optional[str]) -> Place | None:
        for m in self._admin_re.finditer(folded):
            level, name = m.group("level"), m.group("name")
            if level == "tinh" and name in self.by_fold:
                return self._province_place(self.by_fold[name], issued)
            if level.startswith(("thanh pho", "tp")) and name in self.by_fold:
                canon = self.by_fold[name]
                info = self.provinces.get(canon)
                if info is None or info["kind"] == "thành phố" or canon in self.new_units and issued and issued >= self.merger_effective and info["kind"] == "thành phố":
                    return self._province_place(canon, issued)
                # a city named like its province: thành phố Kon Tum (tỉnh Kon Tum)
                return Place(locality=f"thành phố {canon}", province=canon, province_now=self.province_now(canon, issued), scope="district")
            if name in self.districts:
                cands = self.districts[name]
                kinds = {"huyen": "huyện", "quan": "quận", "thi xa": "thị xã"}
                want = kinds.get(level, "thành phố")
                pick = [d for d in cands if d["kind"] == want] or (cands if len(cands) == 1 else [])
                if len(pick) == 1:
                    d = dict(pick[0], kind=want)
                    return self._district_place(d, issued)
        return None


@lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    return Gazetteer()
