"""Agencies, their roles, and assignments.

``extract_agencies(ctx)`` returns the agencies of a plan (canonical name, abbreviations seen,
level, every mention with its role) and the assignments (task, lead, coordinating, directing
person, timeframe, output) of its activity blocks, "Tổ chức thực hiện" items and assignment
tables. ``canonical_agency(raw)`` canonicalises one agency name; ``split_agency_list(text)``
splits "Công an thành phố, Tòa án thành phố, phòng Tư pháp và UBND các xã, phường" into its
items without breaking names that contain "," or "và" ("Sở Văn hóa, Thể thao và Du lịch").

Vocabularies are data: ``data/agencies.json`` (heads, known names and their abbreviations,
level words, provinces, generic-group starters) and ``data/roles.json`` (field labels, table
columns, role verbs). Matching runs on a *view* of the text that has the same length as the
text (lower case, dashes unified, tone placement unified: "hoà" = "hòa", "Uỷ" = "Ủy"), so an
offset found in the view is an offset in ``ctx.text``; capitalisation is read from the text.

Where mentions sit: ``AgencyMention.section_id`` is ``ctx.section_id_at(span.start)``, the
innermost section holding the agency's words. For an activity field ("c. Cơ quan chủ trì thực
hiện: …", a ``point`` child of the activity) that is the field's own section, while the
``Assignment.section_id`` is the activity. ``role_section_id(ctx, section_id)`` lifts a field
section to its activity and a bullet to its labelled ancestor (where the gold annotation puts
a role). One exception: a role of an item's own agency stated later without naming it ("1.
Sở Y tế / b) … tham mưu Ủy ban nhân dân thành phố …") is a mention whose span is the agency's
name in the item heading while its ``section_id`` is the section where the role is stated
(point b), so the role is placed where the text gives it.
"""

from __future__ import annotations

import bisect
import re as _sre
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Optional

import regex as re

from .. import prefilter, vocab
from ..models import Agency, AgencyMention, Assignment, Section
from ..textkey import key as text_key
from .context import Context

__all__ = ["extract_agencies", "canonical_agency", "split_agency_list", "role_section_id"]

ROLE_ORDER = ("lead", "coordinate", "direct", "report_to", "advise", "mentioned")

# ---------------------------------------------------------------------------------------------
# The view: same length as the text, lower case, dashes, spaces and tone placement unified.
# ---------------------------------------------------------------------------------------------

_TRANSLATE = str.maketrans(
    {c: "-" for c in "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"}
    | {c: " " for c in "\u00a0\t\u2007\u202f"}
)
_REPLACE = tuple((chr(a), b) for a, b in _TRANSLATE.items())  # str.replace: far faster than translate
_TONED_AEY = "àáảãạèéẻẽẹỳýỷỹỵ"
_MOVE_TONE = re.compile(rf"(?<!q)([ou])([{_TONED_AEY}])(?![\p{{L}}\p{{M}}])")


def _swap_tone(m: "re.Match[str]") -> str:
    decomposed = unicodedata.normalize("NFD", m.group(2))
    moved = unicodedata.normalize("NFC", m.group(1) + decomposed[1:])
    if len(moved) != 1:  # pragma: no cover - o/u + a tone mark always compose
        return m.group(0)
    return moved + decomposed[0]


def _view(text: str) -> str:
    """Lower-cased, dash/space/tone-unified copy of ``text`` with exactly the same length."""
    low = text.lower()
    if len(low) != len(text):
        low = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
    for a, b in _REPLACE:
        if a in low:
            low = low.replace(a, b)
    return _MOVE_TONE.sub(_swap_tone, low)


def _nfc(s: str) -> str:
    return unicodedata.normalize("NFC", s)


_SQUASH = re.compile(r"[\s\-.&,]")
_DASH_SPACED = re.compile(r"[ ]{0,3}-[ ]{0,3}")
_SPACES = re.compile(r"\s+")


@lru_cache(maxsize=8192)
def _squash(view_text: str) -> str:
    """Lookup key of a matched surface form: the view without spaces, dashes and dots."""
    return _SQUASH.sub("", view_text)


# ---------------------------------------------------------------------------------------------
# Patterns, built once from the data files
# ---------------------------------------------------------------------------------------------

_W = r"[\p{L}\p{M}\p{N}]"
_CLAUSE_HEAD_RE = r"[ ]{0,6}(?:(?:[a-zđ]|\d{1,2})[.)][ ]{0,4})?(?:[-+•][ ]{0,3})?"
_NWB = rf"(?<!{_W})"  # no word character before
_NWA = rf"(?!{_W})"  # no word character after


def _flex(form: str) -> str:
    """A bounded regex for a surface form (matched on the view): flexible spaces and dashes."""
    tokens = re.findall(r"[\p{L}\p{M}\p{N}]+|[-&,.]", _view(_nfc(form)))
    parts: list[str] = []
    prev: Optional[str] = None
    for tok in tokens:
        if tok == "-":
            parts.append(r"[ ]{0,3}-[ ]{0,3}")
        elif tok == "&":
            parts.append(r"[ ]{0,2}&[ ]{0,2}")
        elif tok == ",":
            parts.append(r"[ ]{0,2},[ ]{0,3}")
        elif tok == ".":
            parts.append(r"\.")
        else:
            if prev is not None and prev not in ("-", "&", ","):
                parts.append(r"[ ]{1,4}")
            parts.append(re.escape(tok))
        prev = tok
    return "".join(parts)


def _flex_max_len(form: str) -> int:
    """The longest text ``_flex(form)`` matches (each of its blank runs at its longest)."""
    tokens = re.findall(r"[\p{L}\p{M}\p{N}]+|[-&,.]", _view(_nfc(form)))
    n, prev = 0, None
    for tok in tokens:
        if tok == "-":
            n += 7
        elif tok == "&":
            n += 5
        elif tok == ",":
            n += 6
        elif tok == ".":
            n += 1
        else:
            if prev is not None and prev not in ("-", "&", ","):
                n += 4
            n += len(tok)
        prev = tok
    return n


def _alternation(forms: list[str]) -> str:
    """Alternatives longest first, so the regex prefers the longest surface form."""
    uniq = sorted(set(forms), key=lambda f: (-len(f), f))
    return "|".join(_flex(f) for f in uniq)


def _first_words(forms: list[str]) -> list[str]:
    """The first token of each surface form as ``_flex`` reads it (a run of word characters)."""
    out = []
    for form in forms:
        tok = re.match(r"[\p{L}\p{M}\p{N}]+", _view(_nfc(form)))
        if tok is None:  # pragma: no cover - the data has no form starting with punctuation
            raise ValueError(f"agencies.json: a form must start with a word: {form!r}")
        out.append(tok.group(0))
    return out


def _words_re(forms: list[str], prefix: str = "", suffix: str = "") -> "re.Pattern[str]":
    return re.compile(rf"{prefix}(?:{_alternation(forms)}){_NWA}{suffix}")


@dataclass(frozen=True)
class _Head:
    canonical: str
    name: str  # "required" / "optional" / "none"
    level: Optional[str]
    keep_level: bool
    lower_ok: bool
    nested: bool = False


@dataclass(frozen=True)
class _LevelWord:
    canonical: str
    level: str  # central / province / district / commune / city


_COLLECTIVE_LEVEL = {"cấp xã": "commune", "cấp huyện": "district", "cấp tỉnh": "province"}


class _Vocab:
    """Compiled vocabularies of data/agencies.json and data/roles.json."""

    def __init__(self) -> None:
        data = vocab.load("agencies.json")
        roles = vocab.load("roles.json")

        # --- names
        self.heads: dict[str, _Head] = {}
        forms: list[str] = []
        for h in data["heads"]:
            head = _Head(
                _nfc(h["canonical"]), h["name"], h.get("level"), bool(h.get("keep_level", True)), bool(h.get("lower_ok", False)), bool(h.get("nested", False))
            )
            for f in h["forms"]:
                self.heads.setdefault(_squash(_view(_nfc(f))), head)
                forms.append(f)
        self.head_re = _words_re(forms, prefix=_NWB)
        # where a head can start: its first word (head_re is only tried there, see prefilter)
        self.head_starts = prefilter.WordStarts(_first_words(forms))
        # per first word: how far a head_re match starting with it can reach, and whether one of
        # its heads is read in lower case (see _scan)
        reach: dict[str, int] = {}
        lower: dict[str, bool] = {}
        for f in forms:
            first = _first_words([f])[0]
            reach[first] = max(reach.get(first, 0), _flex_max_len(f))
            lower[first] = lower.get(first, False) or self.heads[_squash(_view(_nfc(f)))].lower_ok
        self.head_reach = {t: max(n for w, n in reach.items() if t.startswith(w)) for t in self.head_starts.words}
        self.head_lower_ok = {t: any(ok for w, ok in lower.items() if t.startswith(w)) for t in self.head_starts.words}
        # abbreviation forms written in capitals in the data ("UBND", "VOV")
        self.caps_heads = {_squash(_view(_nfc(f))) for h in data["heads"] for f in h["forms"] if f.upper() == f}

        self.tails: dict[str, str] = {}
        forms = []
        for variants in data["tails"]:
            for f in variants:
                self.tails.setdefault(_squash(_view(_nfc(f))), _nfc(variants[0]))
                forms.append(f)
        self.tail_re = _words_re(forms)
        self.tail_heads = {_nfc(k): {_nfc(x) for x in v} for k, v in data["tail_must_follow"].items() if not k.startswith("_")}

        self.levels: dict[str, _LevelWord] = {}
        forms = []
        for lw in data["level_words"]:
            for f in lw["forms"]:
                self.levels.setdefault(_squash(_view(_nfc(f))), _LevelWord(_nfc(lw["canonical"]), lw["level"]))
                forms.append(f)
        blocked = [
            rf"{re.escape(_view(_nfc(w)))}[ ]{{1,3}}(?:{'|'.join(re.escape(_view(_nfc(n))) for n in nexts)}){_NWA}"
            for w, nexts in data["not_level_after"].items()
            if not w.startswith("_")
        ]
        self.level_word_re = re.compile(rf"(?!{'|'.join(blocked)})((?:{_alternation(forms)})){_NWA}")
        self.party_word_re = _words_re(data["party_suffixes"])
        self.province_views = {_view(_nfc(p)) for p in data["provinces"]}
        self.province_views_t = tuple(sorted(self.province_views))  # for str.endswith
        self.central_city_views = {_view(_nfc(p)) for p in data["central_cities"]}
        self.generic_re = _words_re(data["generic_starters"])
        self.generic_after_head_re = _words_re(data["generic_after_head"], prefix=r"[ ]{1,4}")
        self.person_title_re = _words_re(data["person_titles"], suffix=r"(?=[ ,;])[ ]{0,4}")
        self.abbrev_re = re.compile(
            rf"(?<![\p{{L}}\p{{N}}&-])(?:{'|'.join(re.escape(a) for a in sorted(set(data['abbreviations']), key=len, reverse=True))})(?![\p{{L}}\p{{N}}&])"
        )

        # --- roles
        self.field_kinds: dict[str, str] = {}
        forms = []
        for kind, phrases in roles["fields"].items():
            for p in phrases:
                self.field_kinds.setdefault(_squash(_view(_nfc(p))), kind)
                forms.append(p)
        self.field_re = re.compile(
            r"(?m)^[ ]{0,8}(?:(?:[a-zđ]|\d{1,2}|[ivx]{1,4})[.)][ ]{0,4})?(?:[-+•][ ]{0,3})?"
            rf"(?P<cue>{_alternation(forms)}){_NWA}[ ]{{0,3}}(?:\([^)\n]{{0,40}}\)[ ]{{0,3}})?:[ ]{{0,6}}"
            r"(?P<val>[^\n]{0,3000})"
        )
        self.table_cols: dict[str, str] = {}
        for kind, phrases in roles["table_columns"].items():
            for p in phrases:
                self.table_cols.setdefault(_squash(_view(_nfc(p))), kind)
        self.role_column_re = _words_re(roles["table_columns"]["lead"] + roles["table_columns"]["coordinate"], prefix=_NWB)
        self.collective_roles = {k: set(v) for k, v in roles["collective_roles"].items() if not k.startswith("_")}
        self.tcth_title_views = [_view(_nfc(t)) for t in roles["tcth_titles"]]
        self.situation_title_views = [_view(_nfc(t)) for t in roles["situation_titles"]]
        self.situation_title_views_t = tuple(self.situation_title_views)  # for str.startswith
        self.heading_intro_re = _words_re(roles["heading_intro"], prefix=r"[ ]{0,3}", suffix=r"[ ]{0,3}")
        self.subject_intro_re = _words_re(roles["subject_intro"], prefix=_NWB, suffix="$")
        self.subject_block_re = _words_re(roles["subject_block"] + ["phối hợp"], prefix=_NWB, suffix="$")
        self.subject_fallback_re = _words_re(roles["subject_block_fallback"], prefix=_NWB, suffix="$")
        self.person_title_end_re = _words_re(data["person_titles"], prefix=_NWB, suffix="$")

        verbs = roles["verbs"]
        self.cue_res = {k: _words_re(verbs[k]["cues"], prefix=_NWB) for k in ("lead", "lead_assign", "coordinate", "direct", "report_to", "advise")}
        self.cue_starts = prefilter.GroupedWordStarts({k: _first_words(verbs[k]["cues"]) for k in self.cue_res})
        self.assign_intro_re = _words_re(verbs["lead_assign"]["intro"], prefix=_NWB, suffix=r"[ ]{1,3}")
        self.noun_before = {
            k: _words_re(verbs[k]["noun_before"], prefix=_NWB, suffix=r"[ ,]{0,3}$")
            for k in ("lead", "coordinate", "direct", "report_to")
            if verbs[k].get("noun_before")
        }
        self.subject_gap = {
            k: re.compile(rf"^[ ,]{{0,4}}(?:(?:{_alternation(verbs[k]['subject_gap'])})[ ,]{{0,4}}){{0,2}}$")
            for k in ("lead", "direct", "advise")
        }
        self.direct_not_followed = re.compile(rf"[ ]{{0,3}}(?:{_alternation(verbs['direct']['not_followed_by'])})")
        rep = verbs["report_to"]
        self.report_stop_re = _words_re(rep["object_stop"], prefix=_NWB)
        self.report_via_re = _words_re(rep["via"], prefix=_NWB, suffix=r"[ ]{1,3}")
        self.report_max_gap = int(rep.get("max_gap_chars", 90))
        self.report_send = {_squash(_view(_nfc(c))) for c in rep.get("send_cues", ["gửi"])}
        self.report_submit_re = _words_re(rep["then_submit"], prefix=r"[ ,]{0,3}", suffix=r"[ ]{1,3}")
        self.report_onward_re = _words_re(rep["onward"], prefix=_NWB, suffix=r"[ ,]{0,3}(?:và[ ]{1,3})?$")
        self.direct_implicit_re = re.compile(rf"{_CLAUSE_HEAD_RE}(?:{_alternation(verbs['direct']['implicit_after'])}){_NWA}")
        adv = verbs["advise"]
        self.advise_object_required = {_squash(_view(_nfc(p))) for p in adv["object_required"]}
        self.advise_gap_re = _words_re(adv["object_gap"], prefix=r"[ ]{0,3}", suffix=r"[ ]{0,3}")


@lru_cache(maxsize=1)
def _vocab() -> _Vocab:
    return _Vocab()


# ---------------------------------------------------------------------------------------------
# One agency name at a position
# ---------------------------------------------------------------------------------------------

_WS = re.compile(r"[ ]{0,4}")
_SYL = re.compile(r"[ ]{1,4}([\p{L}\p{M}]{1,20})(?![\p{L}\p{M}\p{N}])")
_SYL_AFTER_JOIN = re.compile(r"[ ]{0,4}([\p{L}\p{M}]{1,20})(?![\p{L}\p{M}\p{N}])")
_CONNECTOR = re.compile(r"[ ]{1,3}(?:và|&)(?=[ ])|[ ]{0,3}-(?=[ ]{0,3}\p{L})")
_LIST_SEP = re.compile(r"[ ]{0,3}(?:;|,|(?:và|cùng|hoặc)(?![\p{L}\p{M}]))[ ]{0,4}")
_LIST_SEP_NO_SEMI = re.compile(r"[ ]{0,3}(?:,|(?:và|cùng)(?![\p{L}\p{M}]))[ ]{0,4}")
_PLURAL_JOIN = re.compile(r"[ ]{0,3}(?:,|và(?![\p{L}\p{M}]))[ ]{0,3}")
# lower-case words that never continue a name ('Sở Y tế có …', 'Ban Dân tộc nghiên cứu')
_STOP_FOLLOWER = re.compile(
    r"(?:và|các|có|của|để|tại|theo|với|cho|là|được|trong|về|thực|tổ|chủ|phối|tham|báo|gửi|đã|"
    r"sẽ|đang|không|cùng|hoặc|những|này|đó|làm|từ|trên|dưới|chịu|giao|thuộc|trực|đề|xây|triển|"
    r"hướng|kiểm|giám|thẩm|cân|bố|lập|ban|nghiên|đẩy|tăng|quản|căn|chỉ|nhằm|khi|thì|mà|qua|"
    r"đến|tới|phải|cần|nên|đều|cũng)(?![\p{L}\p{M}])"
)
_NAME_UNITS_MAX = 8
_PLACE_MAX = 4


@dataclass
class _Match:
    start: int
    end: int
    name: str
    level: str
    kind: str  # "agency", "collective" (UBND các huyện, …), "generic" (các sở, ngành …)


def _upper_at(text: str, pos: int) -> bool:
    return 0 <= pos < len(text) and text[pos].isupper()


def _title_if_caps(s: str) -> str:
    letters = [c for c in s if c.isalpha()]
    if letters and all(c.isupper() for c in letters):
        return " ".join(w[:1] + w[1:].lower() for w in s.split())
    return s


@lru_cache(maxsize=8192)
def _clean_name(s: str) -> str:
    return _SPACES.sub(" ", _DASH_SPACED.sub(" - ", s)).strip()


def _place_after_level(text: str, view: str, pos: int, end: int) -> tuple[int, str]:
    """A capitalised place name after a level word: 'Vĩnh Phúc', 'Kon Tum', 'Long Khánh'."""
    v = _vocab()
    p, words = pos, []
    while len(words) < _PLACE_MAX:
        m = _SYL.match(text, p, end)
        if not m or not m.group(1)[0].isupper():
            break
        if v.head_re.match(view, m.start(1)) or v.level_word_re.match(view, m.start(1)):
            break
        words.append(m.group(1))
        p = m.end()
    return p, _title_if_caps(" ".join(words))


def _province_at(text: str, view: str, pos: int, end: int) -> tuple[int, str]:
    """A province name from the vocabulary right after ``pos`` ('Báo Bình Định')."""
    v = _vocab()
    p, words, best = pos, [], (pos, "")
    while len(words) < _PLACE_MAX:
        m = _SYL.match(text, p, end)
        if not m or not m.group(1)[0].isupper():
            break
        words.append(m.group(1))
        p = m.end()
        if _view(" ".join(words)) in v.province_views:
            best = (p, _title_if_caps(" ".join(words)))
    return best


def _collective_at(text: str, view: str, pos: int, end: int) -> tuple[int, Optional[str]]:
    """Level words after 'các': 'huyện, thị xã, thành phố', 'xã, phường', 'huyện, thị xã Long
    Khánh và thành phố Biên Hòa'. Returns the end and 'cấp xã' / 'cấp huyện' / 'cấp tỉnh'."""
    v = _vocab()
    p = _WS.match(view, pos, end).end()
    levels: list[str] = []
    for _ in range(8):
        m = v.level_word_re.match(view, p, end)
        if not m:
            break
        levels.append(v.levels[_squash(m.group(1))].canonical)
        p, _place = _place_after_level(text, view, m.end(), end)
        s = _PLURAL_JOIN.match(view, p, end)
        if s and v.level_word_re.match(view, s.end(), end):
            p = s.end()
            continue
        break
    if not levels:
        return pos, None
    if any(x in ("xã", "phường", "thị trấn", "cấp xã") for x in levels):
        return p, "cấp xã"
    if any(x in ("tỉnh", "cấp tỉnh") for x in levels):  # "các tỉnh, thành phố trực thuộc trung ương"
        return p, "cấp tỉnh"
    if any(x in ("huyện", "quận", "thị xã", "thành phố", "cấp huyện") for x in levels):
        return p, "cấp huyện"
    return p, None


def _heuristic_name(text: str, view: str, pos: int, end: int) -> tuple[int, list[str]]:
    """Capitalised name words after a head when no known name matches: 'Dân tộc', 'Đại học
    Lao động Xã hội', 'Bình Định'.

    A unit is a capitalised syllable plus, when that syllable starts a run, one lower-case
    syllable ('Tài chính', 'Y tế'); a run of capitalised syllables ('Bình Định') takes none.
    Units may be joined by 'và', '&' or '-' when a capitalised unit follows. Stops before
    another head, a level word, a party committee, or any other word.
    """
    v = _vocab()
    p, words = pos, []
    for _ in range(_NAME_UNITS_MAX):
        joiner = ""
        m = _SYL.match(text, p, end)
        if m is None or not m.group(1)[0].isupper():
            if not words:
                break
            c = _CONNECTOR.match(view, p, end)
            if not c:
                break
            m = _SYL_AFTER_JOIN.match(text, c.end(), end)
            if m is None or not m.group(1)[0].isupper():
                break
            joiner = "-" if "-" in view[c.start() : c.end()] else view[c.start() : c.end()].strip()
        s1 = m.start(1)
        if v.head_re.match(view, s1) or v.level_word_re.match(view, s1) or v.party_word_re.match(view, s1):
            break
        run_start = not words or joiner != "" or not words[-1][:1].isupper()
        if joiner:
            words.append(joiner)
        words.append(m.group(1))
        p = m.end()
        nxt = _SYL.match(text, p, end)
        if nxt is None or nxt.group(1)[0].isupper() or not run_start:
            continue
        if v.level_word_re.match(view, nxt.start(1)) or _STOP_FOLLOWER.match(view, nxt.start(1)):
            continue
        words.append(nxt.group(1))
        p = nxt.end()
    return p, words


def _level_of(lw: _LevelWord, place: str, city_level: str) -> str:
    if lw.level == "city":
        return "province" if place and _view(place) in _vocab().central_city_views else city_level
    return lw.level


def _match_at(text: str, view: str, pos: int, end: int, city_level: str = "district", hm: "Optional[re.Match[str]]" = None) -> Optional[_Match]:
    """The agency name starting exactly at ``pos`` (``None`` when there is none).

    Surface forms: HEAD [NAME] [party committee | LEVEL [PLACE] | PROVINCE], e.g. "Sở Lao
    động - Thương binh và Xã hội", "Phòng  Lao động – TB&XH thành phố", "Sở LĐ-TB&XH", "UBND
    tỉnh", "Ủy ban nhân dân thành phố Kon Tum", "Ủy ban MTTQVN thành phố", "Hội LHPN thành
    phố", "Công an tỉnh", "Ban Tổ chức Thành ủy", "Báo Bình Định", "Đài Phát thanh và Truyền
    hình Bình Định", "phòng Tư pháp" (a lower-case head needs a capitalised name).
    Collective (kind 'collective'): "UBND các xã, phường", "Ủy ban nhân dân các huyện, thị xã,
    thành phố", "UBND huyện, thị xã, thành phố". Generic (kind 'generic'): "UBND các cấp".
    """
    v = _vocab()
    if hm is None:  # else: ``head_re.match(view, pos, end)``, already done by the caller
        hm = v.head_re.match(view, pos, end)
        if not hm:
            return None
    head = v.heads.get(_squash(hm.group(0)))
    if head is None:
        return None
    head_upper = _upper_at(text, pos)
    if not head_upper and not head.lower_ok:
        return None
    if _all_caps_word_inside_line(text, view, hm.start(), hm.end()):
        return None  # "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM": a capitalised word, not a head
    p = hm.end()
    parts = [head.canonical]
    level = head.level

    g = v.generic_after_head_re.match(view, p, end)
    if g:  # "UBND các xã, phường" / "UBND các cấp"
        q, coll = _collective_at(text, view, g.end(), end)
        if coll is not None:
            return _Match(pos, q, f"{head.canonical} {coll}", _COLLECTIVE_LEVEL[coll], "collective")
        m2 = _SYL.match(text, g.end(), end)
        return _Match(pos, m2.end() if m2 else g.end(), head.canonical, "unknown", "generic")

    if head.nested:  # "Văn phòng UBND tỉnh", "Đảng đoàn Quốc hội", "Ban cán sự đảng Chính phủ"
        q = _WS.match(view, p, end).end()
        inner = _match_at(text, view, q, end, city_level) if q > p and _upper_at(text, q) else None
        if inner is not None and inner.kind == "agency":
            return _Match(pos, inner.end, f"{head.canonical} {inner.name}", head.level or inner.level, "agency")
    if head.name != "none":
        q = _WS.match(view, p, end).end()
        tail = None
        if q > p:
            tm = v.tail_re.match(view, q, end)
            if tm:
                ct = v.tails.get(_squash(tm.group(0)))
                allowed = v.tail_heads.get(ct or "")
                if ct and (allowed is None or head.canonical in allowed):
                    tail, p = ct, tm.end()
        if tail is None:
            q2, words = _heuristic_name(text, view, p, end)
            if words:
                tail, p = _clean_name(" ".join(words)), q2
            elif head.name == "required":
                return None
        if not head_upper and not (tail and _upper_at(text, q)):
            return None
        if tail:
            parts.append(tail)

    suffix: list[str] = []
    pm = v.party_word_re.match(view, _WS.match(view, p, end).end(), end) if view[p : p + 1] == " " else None
    lm = v.level_word_re.match(view, _WS.match(view, p, end).end(), end) if view[p : p + 1] == " " else None
    if pm:
        suffix.append(v.heads[_squash(pm.group(0))].canonical)
        p = pm.end()
        level = level or "party"
    elif lm:
        lw = v.levels[_squash(lm.group(1))]
        q, place = _place_after_level(text, view, lm.end(), end)
        s = _PLURAL_JOIN.match(view, q, end)
        if not place and s and v.level_word_re.match(view, s.end(), end):
            # "Phòng LĐTBXH huyện, thị xã, thành phố", "UBND xã, phường": many bodies
            q2, coll = _collective_at(text, view, lm.start(), end)
            if coll is not None:
                kind = "collective" if head.name == "none" else "generic"
                return _Match(pos, q2, " ".join(parts + [coll]), _COLLECTIVE_LEVEL[coll], kind)
        if level is None:
            level = _level_of(lw, place, city_level)
        suffix.append(lw.canonical)
        if place:
            suffix.append(place)
        p = q
    else:
        g2 = v.generic_after_head_re.match(view, p, end)
        if g2:  # "Phòng Lao động - Thương binh và Xã hội các huyện, thị xã, thành phố"
            q, coll = _collective_at(text, view, g2.end(), end)
            if coll is not None:
                return _Match(pos, q, " ".join(parts), "unknown", "generic")
        q, place = _province_at(text, view, p, end)
        if place:
            suffix.append(place)
            p = q
    if level is None:
        tail_view = _view(" ".join(parts[1:] + suffix))
        if tail_view.endswith(v.province_views_t):
            level = "province"
    if head.keep_level:
        parts.extend(suffix)
    return _Match(pos, p, _clean_name(" ".join(parts)), level or "unknown", "agency")


def _all_caps_word_inside_line(text: str, view: str, start: int, end: int) -> bool:
    """A head written in capitals that is not an abbreviation ('HỘI', 'SỞ') and follows
    another word on its line: part of an upper-case title, not an agency name."""
    word = text[start:end]
    if not (word.isupper() and " " not in word.strip() and any(unicodedata.combining(c) or c.lower() != c for c in word)):
        return False
    if _squash(view[start:end]) in _vocab().caps_heads:
        return False
    line_start = view.rfind("\n", 0, start) + 1
    words = text[line_start:start].strip(" |*#").split()  # split(): any white space, \f too
    return bool(words) and words[-1].isupper()


def _city_level(ctx: Optional[Context]) -> str:
    """'thành phố' is district level unless the plan is issued by a centrally-run city."""
    issuer = getattr(getattr(ctx, "metadata", None), "issuer", None)
    if not issuer:
        return "district"
    iv = _view(issuer)
    return "province" if any(f"thành phố {c}" in iv for c in _vocab().central_city_views) else "district"


# ---------------------------------------------------------------------------------------------
# Public helpers
# ---------------------------------------------------------------------------------------------


def canonical_agency(raw: str, *, allow_collective: bool = False, city_level: str = "district") -> Optional[tuple[str, str]]:
    """Canonical name and level of one agency name; ``None`` for anything else.

    "Phòng  Lao động – TB&XH thành phố" → ("Phòng Lao động - Thương binh và Xã hội",
    "district"); "UBND tỉnh" → ("Ủy ban nhân dân tỉnh", "province"); "Sở Kế hoạch - Đầu tư" →
    ("Sở Kế hoạch và Đầu tư", "province"). Generic groups ("các sở, ban, ngành", "UBND các xã,
    phường") give ``None``; with ``allow_collective`` "Ủy ban nhân dân các huyện, thị xã, thành
    phố" gives ("Ủy ban nhân dân cấp huyện", "district").
    """
    text = _nfc(raw).strip().rstrip(".;,:").strip()
    if not text:
        return None
    view = _view(text)
    m = _match_at(text, view, 0, len(text), city_level)
    if m is None or m.kind == "generic" or (m.kind == "collective" and not allow_collective):
        return None
    if text[m.end :].strip():
        return None
    return m.name, m.level


def _skip_person(view: str, pos: int, end: int) -> int:
    """Skip a person's title before a body in a list ('Chủ tịch UBND các huyện')."""
    pm = _vocab().person_title_re.match(view, pos, end)
    return pm.end() if pm else pos


def _item_starts(text: str, view: str, pos: int, end: int) -> bool:
    q = _WS.match(view, pos, end).end()
    p = _skip_person(view, q, end)
    if p >= end:
        return False
    if p > q and view[p : p + 1] in (",", ";"):
        return True
    return bool(_vocab().generic_re.match(view, p, end)) or _match_at(text, view, p, end) is not None


def _split_items(text: str, view: str, start: int, end: int) -> list[tuple[int, int]]:
    v = _vocab()
    protected: list[tuple[int, int]] = []
    first = _skip_person(view, _WS.match(view, start, end).end(), end)
    m = _match_at(text, view, first, end)
    if m:
        protected.append((m.start, m.end))
    item_generic = bool(v.generic_re.match(view, first, end))
    cuts: list[tuple[int, int]] = []
    for sep in _LIST_SEP.finditer(view, start, end):
        if sep.start() == start or any(a < sep.start() < b for a, b in protected):
            continue
        nxt = _skip_person(view, _WS.match(view, sep.end(), end).end(), end)
        is_semicolon = view[sep.start() : sep.end()].strip() == ";"
        m = _match_at(text, view, nxt, end)
        nxt_generic = bool(v.generic_re.match(view, nxt, end))
        # a generic group goes on over ', ngành, đơn vị' until a named body follows
        if is_semicolon or m is not None or (nxt_generic and not item_generic):
            cuts.append((sep.start(), sep.end()))
            if m:
                protected.append((m.start, m.end))
            item_generic = nxt_generic and m is None
    items: list[tuple[int, int]] = []
    prev = start
    for a, b in cuts + [(end, end)]:
        s, e = prev, a
        while s < e and text[s].isspace():
            s += 1
        while e > s and (text[e - 1].isspace() or text[e - 1] in ".;,:"):
            e -= 1
        if e > s:
            items.append((s, e))
        prev = b
    return items


def split_agency_list(text: str) -> list[tuple[int, int]]:
    """(start, end) of each item of an agency list (``text`` in NFC, as ``ctx.text`` is).

    Splits on ',', ';', 'và', 'cùng', 'hoặc' only where a new item follows (an agency head or
    a generic group such as 'các đơn vị liên quan'): "Công an thành phố, Tòa án thành phố,
    phòng Tư pháp, các đơn vị có liên quan và UBND các xã, phường." → 5 items; "Sở Văn hóa,
    Thể thao và Du lịch" → 1 item; "Sở Giáo dục và Đào tạo và Sở Y tế" → 2 items; "Các
    phòng, ban, ngành, đơn vị có liên quan" → 1 item.
    """
    return _split_items(text, _view(text), 0, len(text))


def _agencies_in(text: str, view: str, start: int, end: int, city_level: str) -> list[_Match]:
    """Names at the start of one list item, including names written side by side without a
    separator ('Bộ Thông tin và Truyền thông Bộ Khoa học và Công nghệ')."""
    out: list[_Match] = []
    p = _skip_person(view, _WS.match(view, start, end).end(), end)
    for _ in range(8):
        m = _match_at(text, view, p, end, city_level)
        if m is None or m.kind == "generic":
            break
        out.append(m)
        p = _skip_person(view, _WS.match(view, m.end, end).end(), end)
        if p >= end:
            break
    return out


# ---------------------------------------------------------------------------------------------
# Document-level state
# ---------------------------------------------------------------------------------------------


@dataclass
class _Doc:
    ctx: Context
    text: str
    view: str
    city_level: str
    end: int
    no_role_zones: list[tuple[int, int]]  # 'Nơi nhận' blocks
    mentions: list[_Match]
    starts: list[int]
    # (start, end) of a name → role → offsets where the role is stated (None: at the name)
    roles: dict[tuple[int, int], dict[str, set[Optional[int]]]] = field(default_factory=dict)
    role_match: dict[tuple[int, int], _Match] = field(default_factory=dict)
    heading_cache: dict[str, list[_Match]] = field(default_factory=dict)
    assign_cache: dict[str, bool] = field(default_factory=dict)
    chain_cache: dict[str, list[Section]] = field(default_factory=dict)
    situation_cache: dict[str, bool] = field(default_factory=dict)
    _clause_breaks: Optional[list[int]] = None
    _sentence_breaks: Optional[list[int]] = None

    @property
    def clause_breaks(self) -> list[int]:
        if self._clause_breaks is None:
            self._clause_breaks = [m.end() for m in _CLAUSE_START.finditer(self.view, 0, self.end)]
        return self._clause_breaks

    @property
    def sentence_breaks(self) -> list[int]:
        if self._sentence_breaks is None:
            self._sentence_breaks = [m.end() for m in _SENTENCE_START.finditer(self.view, 0, self.end)]
        return self._sentence_breaks

    def add_role(self, m: _Match, role: str, at: Optional[int] = None, heading: bool = False) -> bool:
        """Give the name ``m`` a role; ``at`` is where the role is stated when that is not at
        the name itself (an item's agency that advises in its point b). A collective body
        ('UBND các tỉnh, thành phố') takes a role when it heads an item, else only the roles
        roles.json 'collective_roles' allows for its level."""
        if m.kind == "generic":
            return False
        if m.kind == "collective" and not heading:
            level = m.name.rsplit(" cấp ", 1)[-1]
            if f"cấp {level}" not in _vocab().collective_roles.get(role, set()):
                return False
        k = (m.start, m.end)
        self.roles.setdefault(k, {}).setdefault(role, set()).add(at)
        self.role_match.setdefault(k, m)
        return True

    def has_role(self, m: _Match, role: str) -> bool:
        return role in self.roles.get((m.start, m.end), {})

    def mentions_in(self, start: int, end: int) -> list[_Match]:
        i = bisect.bisect_left(self.starts, start)
        out = []
        while i < len(self.mentions) and self.mentions[i].start < end:
            if self.mentions[i].end <= end:
                out.append(self.mentions[i])
            i += 1
        return out

    def chain(self, pos: int) -> list[Section]:
        sec = self.ctx.index.locate(pos)
        if sec is None:
            return []
        if sec.id not in self.chain_cache:
            self.chain_cache[sec.id] = self.ctx.index.ancestors(sec.id)
        return self.chain_cache[sec.id]

    def role_zone(self, pos: int) -> bool:
        if pos >= self.end or any(a <= pos < b for a, b in self.no_role_zones):
            return False
        sec = self.ctx.index.locate(pos)
        sid = sec.id if sec is not None else ""
        if sid not in self.situation_cache:
            self.situation_cache[sid] = _is_situation(self.chain(pos))
        return not self.situation_cache[sid]


def _head_candidates(view: str) -> tuple[list[int], list[int]]:
    """Where a head may start in ``view`` and, for each, how far a head_re match there can
    reach (-1 when one of the heads starting with that word is read in lower case)."""
    v = _vocab()
    starts: list[int] = []
    reach: list[int] = []
    head_reach, lower_ok = v.head_reach, v.head_lower_ok
    for m in v.head_starts._re.finditer(view):
        c = m.start()
        t = m.group()
        starts.append(c)
        reach.append(-1 if lower_ok[t] else c + head_reach[t])
    return starts, reach


#: _head_candidates of the last view scanned
_head_starts = prefilter.LastText(_head_candidates)
#: where each kind of role cue may start in a view (of the last view scanned)
_cue_starts = prefilter.LastText(lambda view: _vocab().cue_starts.positions(view))


def _scan(text: str, view: str, start: int, end: int, city_level: str) -> list[_Match]:
    """Every agency name (and generic/collective body) in ``text[start:end]``, in order."""
    v = _vocab()
    out: list[_Match] = []
    last = start
    # = for hm in head_re.finditer(view, start, end), tried only at the candidates (prefilter).
    # A candidate written in lower case whose heads all need a capital gives no name; when no
    # other candidate lies within its reach, its match (if any) hides none: it is skipped.
    starts, reach = _head_starts(view)
    head_match = v.head_re.match
    n = len(starts)
    i = bisect.bisect_left(starts, start)
    search_from = start
    while i < n:
        c = starts[i]
        if c >= end:
            break
        i += 1
        if c < search_from:
            continue
        r = reach[i - 1]
        if r >= 0 and (i >= n or starts[i] >= r) and not text[c].isupper():
            continue
        hm = head_match(view, c, end)
        if hm is None:
            continue
        search_from = hm.end()
        if c < last:
            continue
        line_end = view.find("\n", c, end)
        # hm is what head_re.match(view, c, line_end) gives: no head form crosses a line end,
        # and the view has a non-word character ("\n") at line_end
        m = _match_at(text, view, c, end if line_end < 0 else line_end, city_level, hm)
        if m is not None:
            out.append(m)
            last = m.end
    return out


# [;:\n]|\.(?=[ \n]|$) and \n|\.(?=[ \n]|$), written to open with one character class (the
# stdlib re then skips to those characters; literal classes: same matches as regex)
_CLAUSE_END = _sre.compile(r"[;:\n.](?:(?<=\.)(?=[ \n]|$)|(?<!\.))")
_SENTENCE_END = _sre.compile(r"[\n.](?:(?<=\.)(?=[ \n]|$)|(?<!\.))")


# [;:\n]|\.(?=[ \n]|$) and [\n(]|\.(?=[ \n]|$), opening with one character class (see above)
_CLAUSE_START = _sre.compile(r"[;:\n.](?:(?<=\.)(?=[ \n]|$)|(?<!\.))")
_SENTENCE_START = _sre.compile(r"[\n(.](?:(?<=\.)(?=[ \n]|$)|(?<!\.))")


def _last_break(breaks: list[int], pos: int, floor: int) -> int:
    i = bisect.bisect_right(breaks, pos) - 1
    return max(floor, breaks[i]) if i >= 0 else floor


def _clause_bounds(doc: "_Doc", pos: int) -> tuple[int, int]:
    """Clause around ``pos``: bounded by ';' ':' line ends and '.' followed by a space."""
    s = _last_break(doc.clause_breaks, pos, max(0, pos - 400))
    m = _CLAUSE_END.search(doc.view, pos, min(doc.end, pos + 600))
    return s, (m.start() if m else min(doc.end, pos + 600))


def _sentence_bounds(doc: "_Doc", pos: int) -> tuple[int, int]:
    """Sentence around ``pos``: bounded by line ends, '.' followed by a space, and an opening
    parenthesis before ``pos`` ('… (Giao Công an tỉnh chủ trì, … tham mưu)')."""
    s = _last_break(doc.sentence_breaks, pos, max(0, pos - 500))
    m = _SENTENCE_END.search(doc.view, pos, min(doc.end, pos + 800))
    return s, (m.start() if m else min(doc.end, pos + 800))


def _parse_list_at(doc: _Doc, pos: int, end: int, allow_semicolon: bool = True) -> tuple[list[_Match], int]:
    """The list of names starting at ``pos`` (generic groups included as kind 'generic').

    "Sở Tài chính, Sở Lao động - Thương binh và Xã hội cân đối …" → 2 agencies, ends before
    "cân đối"; "Sở Lao động - Thương binh và Xã hội, các ban, ngành hướng dẫn" → 1 agency and
    a generic group; "Sở Kế hoạch - Đầu tư; Sở Tài Chính và các cơ quan liên quan" → 2 + 1;
    "Bộ trưởng, Thủ trưởng cơ quan ngang bộ, …, Chủ tịch Ủy ban nhân dân các tỉnh, thành phố"
    → generic items and the collective body (a person's title is skipped).
    """
    text, view, v = doc.text, doc.view, _vocab()
    sep_re = _LIST_SEP if allow_semicolon else _LIST_SEP_NO_SEMI
    items: list[_Match] = []
    item_start = _WS.match(view, pos, end).end()
    p = item_start
    for _ in range(40):
        p = _skip_person(view, item_start, end)
        m = _match_at(text, view, p, end, doc.city_level)
        if m is not None:
            items.append(m)
            p = m.end
        elif p > item_start and view[p : p + 1] in (",", ";"):
            items.append(_Match(item_start, p, "", "unknown", "generic"))  # a title alone
        elif v.generic_re.match(view, p, end):
            cut = None
            for sep in sep_re.finditer(view, p, end):
                q = _skip_person(view, _WS.match(view, sep.end(), end).end(), end)
                if not v.generic_re.match(view, q, end) and _match_at(text, view, q, end, doc.city_level):
                    cut = sep
                    break
            if cut is None:
                items.append(_Match(p, end, "", "unknown", "generic"))
                return items, end
            items.append(_Match(p, cut.start(), "", "unknown", "generic"))
            p = cut.start()
        else:
            p = item_start
            break
        s = sep_re.match(view, p, end)
        if s and _item_starts(text, view, s.end(), end):
            item_start = _WS.match(view, s.end(), end).end()
            continue
        break
    return items, p


# ---------------------------------------------------------------------------------------------
# Sections: situation analysis, assignment sections and the agencies heading their items
# ---------------------------------------------------------------------------------------------


def _title_view(sec: Section) -> str:
    return _title_view_of(sec.title or "")


@lru_cache(maxsize=4096)
def _title_view_of(title: str) -> str:
    return _view(_nfc(title)).strip()


def _is_situation(chain: list[Section]) -> bool:
    v = _vocab()
    for sec in chain:
        if sec.kind == "preamble":
            return True
        if sec.kind in ("bullet", "table_row", "para"):
            continue
        t = _title_view(sec)
        if t and t.startswith(v.situation_title_views_t):
            return True
    return False


_OUTLINE_KINDS = ("document", "attachment", "part", "chapter", "article", "sec", "item", "appendix")


def _is_tcth(sec: Section) -> bool:
    if sec.kind not in _OUTLINE_KINDS:
        return False
    return _is_tcth_title(_title_view(sec).rstrip(". :"))


@lru_cache(maxsize=4096)
def _is_tcth_title(t: str) -> bool:
    return any(t.startswith(x) and len(t) - len(x) <= 16 for x in _vocab().tcth_title_views)


_LABEL_PREFIX = re.compile(
    r"[ ]{0,8}(?:(?:điều|phần|chương|mục)[ ]{1,3}[\p{L}\d]{1,12}|[ivxlc]{1,6}|\d{1,3}(?:\.\d{1,3}){0,4}|[a-zđ]|\(\d{1,3}\))[.):\-]?[ ]{0,4}|[ ]{0,8}[-+•][ ]{1,4}"
)
_MARKUP = re.compile(r"[*_#\\ ]{0,12}")


def _heading_bounds(doc: _Doc, sec: Section) -> tuple[int, int]:
    """Start/end of a section's heading text: its first line (two lines when the first one
    breaks inside a name, 'Sở Văn\\nhóa, …'), label and Markdown emphasis excluded."""
    s = sec.heading_span.start if sec.heading_span is not None else sec.span.start
    e = doc.view.find("\n", s, sec.span.end)
    e = sec.span.end if e < 0 else e
    s = _MARKUP.match(doc.view, s, e).end()
    lm = _LABEL_PREFIX.match(doc.view, s, e)
    if lm and sec.label is not None and lm.end() > s:
        s = lm.end()
    return _MARKUP.match(doc.view, s, e).end(), e


def _heading_agencies(doc: _Doc, sec: Section) -> list[_Match]:
    """Agencies named at the start of an item of an assignment section.

    "2. Sở Kế hoạch và Đầu tư", "4. Sở Thông Tin và Truyền Thông; Sở Tư pháp; Báo Bình Định;
    Đài … đẩy mạnh …", "7. Ủy ban nhân dân các huyện, thị xã, thành phố có trách nhiệm:" (the
    collective 'Ủy ban nhân dân cấp huyện'), "2. Giao Phòng Lao động - TB&XH thành phố: …",
    "6. Đề nghị Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh và các tổ chức thành viên …", "1. Thủ
    trưởng các sở, ban, ngành …; Chủ tịch UBND các huyện, thành phố …".
    """
    if sec.id not in doc.heading_cache:
        s, e = _heading_bounds(doc, sec)
        im = _vocab().heading_intro_re.match(doc.view, s, e)
        items, _ = _parse_list_at(doc, im.end() if im else s, e)
        doc.heading_cache[sec.id] = [m for m in items if m.kind in ("agency", "collective")]
    return doc.heading_cache[sec.id]


def _starts_with_agency(doc: _Doc, sec: Section) -> bool:
    heads = _heading_agencies(doc, sec)
    if not heads:
        return False
    s, _e = _heading_bounds(doc, sec)
    im = _vocab().heading_intro_re.match(doc.view, s, heads[0].start)
    return heads[0].start == (im.end() if im else s)


def _is_assignment_section(doc: _Doc, sec: Section) -> bool:
    """A 'Tổ chức thực hiện' section, or any outline section most of whose items are headed
    by an agency ('II. NỘI DUNG THỰC HIỆN / 1. Sở Y tế / 2. Sở Tài chính / …')."""
    if sec.id not in doc.assign_cache:
        ok = _is_tcth(sec)
        if not ok and sec.kind in _OUTLINE_KINDS + ("point", "para"):
            kids = [c for c in sec.children if c.kind in ("item", "article", "sec", "part", "chapter", "point", "bullet")]
            named = sum(1 for c in kids if _starts_with_agency(doc, c))
            ok = named >= 2 and 2 * named >= len(kids)
        doc.assign_cache[sec.id] = ok
    return doc.assign_cache[sec.id]


def _agency_item(doc: _Doc, chain: list[Section]) -> Optional[Section]:
    """The item of the innermost assignment section on this chain."""
    for i in range(len(chain) - 2, -1, -1):
        if _is_assignment_section(doc, chain[i]):
            return chain[i + 1]
    return None


def _implicit_subject(doc: _Doc, chain: list[Section]) -> list[_Match]:
    """The agencies heading the assignment item around a cue (the clause's unnamed subject)."""
    item = _agency_item(doc, chain)
    return _heading_agencies(doc, item) if item is not None else []


_GENERIC_TAIL = re.compile(r"^[ ]{0,3}(?:,|và)[ ]{1,3}(?:các|những)[ ][^.;:\n]{0,60}?$")
_CLAUSE_HEAD = re.compile(_CLAUSE_HEAD_RE)
_NO_GAP = re.compile(r"^[ ]{0,3}$")
_LIST_GAP = re.compile(r"[ ]{0,3}(?:,|;|và)[ ]{0,4}")
_COORD_SUBJECT_GAP = re.compile(r"^[ ]{0,3}(?:có trách nhiệm[ ]{0,3})?$")
_VIEN = re.compile(r"[ ]{1,3}viên(?![\p{L}\p{M}\p{N}])")
_REST_GENERIC = re.compile(r"(?:và|,)?[ ]{0,3}(?:các|những)(?![\p{L}\p{M}])")
_BAR = re.compile(r"\|")
_EMPTY_CELL = re.compile(r"[ \-:]{0,400}")
_BLANK_LINES = re.compile(r"\n[ ]{0,8}\n[ ]{0,8}\n")


def _explicit_subject(doc: _Doc, cue_start: int, gap_re: "re.Pattern[str]") -> tuple[list[_Match], bool]:
    """The agency list right before a verb cue when it is the subject of the cue.

    Returns (subjects, named): ``named`` is true when a body stands right before the cue even
    if it is not the subject of an agency role ('Chủ tịch UBND tỉnh chỉ đạo': a person of the
    body acts), so the item's agency must not be taken as the subject instead.

    "Sở Tài chính tham mưu UBND tỉnh", "Giao Sở X có trách nhiệm …", "Trên cơ sở …, Sở Tài
    chính tham mưu …", "Đề nghị Ủy ban MTTQ tỉnh và các tổ chức thành viên phối hợp với …".
    Not a subject: a name after 'của', 'với', 'phối hợp', 'theo' … ("đề nghị của Sở X đề
    xuất UBND tỉnh", "phối hợp với Văn phòng UBND tỉnh; Sở Tư pháp … tham mưu").
    """
    v, view = _vocab(), doc.view
    s_start, _ = _sentence_bounds(doc, cue_start)
    cands = [m for m in doc.mentions_in(s_start, cue_start) if m.kind == "agency"]
    if not cands:
        return [], False
    gap = view[cands[-1].end : cue_start]
    if not (gap_re.match(gap) or _GENERIC_TAIL.match(gap)):
        return [], False
    chain = [cands[-1]]
    for prev in reversed(cands[:-1]):
        if _LIST_GAP.fullmatch(view, prev.end, chain[0].start):
            chain.insert(0, prev)
        else:
            break
    before = view[s_start : chain[0].start].rstrip()
    if v.person_title_end_re.search(before):
        return [], True  # "Chủ tịch UBND tỉnh chỉ đạo": the body's head acts
    if v.subject_block_re.search(before):
        return [], not v.subject_fallback_re.search(before)
    if before and not (before[-1] in ",;:-+•)(" or v.subject_intro_re.search(before) or _CLAUSE_HEAD.fullmatch(before)):
        return [], False
    return chain, True


def _at_clause_start(doc: _Doc, clause_start: int, cue_start: int) -> bool:
    return bool(_CLAUSE_HEAD.fullmatch(doc.view[clause_start:cue_start]))


def _noun_use(doc: _Doc, kind: str, cue_start: int, clause_start: int) -> bool:
    nb = _vocab().noun_before.get(kind)
    return bool(nb and nb.search(doc.view[max(clause_start, cue_start - 40) : cue_start]))


def _sentence_leads(doc: _Doc, cue_start: int) -> list[_Match]:
    """Bodies given 'lead' earlier in the same sentence ('Giao Công an tỉnh chủ trì, phối hợp
    với … tham mưu': Công an tỉnh also advises)."""
    s_start, _ = _sentence_bounds(doc, cue_start)
    return [m for m in doc.mentions_in(s_start, cue_start) if doc.has_role(m, "lead")]


# ---------------------------------------------------------------------------------------------
# Role extractors
# ---------------------------------------------------------------------------------------------


def _extract_verb_roles(doc: _Doc) -> None:
    """Roles from running text (everywhere except situation analysis, preamble, recipients).

    lead: "X chủ trì, phối hợp với Y …"; "Chủ trì …", "Là cơ quan chủ trì …" at the start of a
      clause in an agency's item (the item's agency); "X có trách nhiệm …", "Giao X có trách
      nhiệm …".
    coordinate: the objects of "phối hợp (với|cùng) Y1, Y2 và Y3 …" and "phối hợp Y"; the
      subject of "X phối hợp với …" when X is not the item's own agency. Not "sự phối hợp",
      "cơ chế phối hợp".
    direct: "X chỉ đạo …", "Chủ trì, chỉ đạo …" / "Chủ trì, phối hợp với … chỉ đạo …" (the
      item's agency), only inside an agency's item. Not "văn bản chỉ đạo", "sự chỉ đạo", "Ban
      Chỉ đạo", "kịp thời chỉ đạo", "được giao chỉ đạo", nor the field "Chỉ đạo thực hiện:".
    report_to: "báo cáo [kết quả thực hiện] (về|cho|với|gửi) X và Y", "báo cáo X", "gửi (về)
      X", "phản ánh về X", and "(qua X)", "thông qua X" after such a cue; "… gửi Sở X tổng hợp
      trình UBND tỉnh" reports to both. Not across 'trình', 'để', 'của', 'theo' ("trình UBND
      tỉnh phê duyệt" is a submission, not a report).
    advise: "X tham mưu (cho|với) Y", "tham mưu …" (the item's agency, or the body given the
      lead earlier in the sentence), "đề xuất Y …" only with an agency object ("đề xuất UBND
      tỉnh xem xét"); the advised body stays 'mentioned'.
    """
    v, view, text = _vocab(), doc.view, doc.text
    cue_starts = _cue_starts(view)
    for kind, cue_re in v.cue_res.items():
        for cm in prefilter.finditer(cue_re, view, cue_starts[kind], 0, doc.end):
            cs, ce = cm.start(), cm.end()
            if not doc.role_zone(cs):
                continue
            c_start, c_end = _clause_bounds(doc, cs)
            _s_start, s_end = _sentence_bounds(doc, cs)
            if kind == "lead":
                if _noun_use(doc, "lead", cs, c_start):
                    continue
                for m in _explicit_subject(doc, cs, v.subject_gap["lead"])[0]:
                    doc.add_role(m, "lead")
            elif kind == "lead_assign":
                for m in _explicit_subject(doc, cs, _NO_GAP)[0]:
                    doc.add_role(m, "lead")
            elif kind == "coordinate":
                if _noun_use(doc, "coordinate", cs, c_start):
                    continue
                items, _ = _parse_list_at(doc, ce, max(s_end, ce))
                for m in items:
                    doc.add_role(m, "coordinate")
                subj, _named = _explicit_subject(doc, cs, _COORD_SUBJECT_GAP)
                own = {(m.start, m.end) for m in _implicit_subject(doc, doc.chain(cs))}
                for m in subj:
                    if (m.start, m.end) not in own:
                        doc.add_role(m, "coordinate")
            elif kind == "direct":
                if _noun_use(doc, "direct", cs, c_start) or v.direct_not_followed.match(view, ce, doc.end):
                    continue
                chain = doc.chain(cs)
                if _agency_item(doc, chain) is None:
                    continue
                subj, named = _explicit_subject(doc, cs, v.subject_gap["direct"])
                for m in subj:
                    doc.add_role(m, "direct")
                if not subj and not named and v.direct_implicit_re.match(view, c_start, cs):
                    for m in _implicit_subject(doc, chain):
                        doc.add_role(m, "direct", at=cs)
            elif kind == "report_to":
                if _noun_use(doc, "report_to", cs, c_start) or _VIEN.match(view, ce, ce + 8):
                    continue
                if _onward_report(doc, cs, c_start):
                    continue
                _report_objects(doc, ce, c_end, s_end, _squash(cm.group(0)) in v.report_send)
            elif kind == "advise":
                g = v.advise_gap_re.match(view, ce, c_end)
                obj = _match_at(text, view, g.end() if g else _WS.match(view, ce, c_end).end(), max(c_end, ce), doc.city_level)
                if _squash(cm.group(0)) in v.advise_object_required and (obj is None or obj.kind != "agency"):
                    continue
                subj, named = _explicit_subject(doc, cs, v.subject_gap["advise"])
                for m in subj:
                    doc.add_role(m, "advise")
                if not subj and not named:
                    for m in _implicit_subject(doc, doc.chain(cs)) or _sentence_leads(doc, cs):
                        doc.add_role(m, "advise", at=cs)


def _onward_report(doc: _Doc, cs: int, c_start: int) -> bool:
    """'gửi Sở X (để) tổng hợp, báo cáo Y': the report to Y is X's onward report."""
    before = doc.view[max(c_start, cs - 40) : cs]
    m = _vocab().report_onward_re.search(before)
    if not m:
        return False
    if _view(m.group(0)).startswith("để"):
        return True
    at = max(c_start, cs - 40) + m.start()
    prev = doc.mentions_in(max(0, at - 200), at)
    return bool(prev) and doc.view[prev[-1].end : at].strip() == ""


def _report_objects(doc: _Doc, ce: int, c_end: int, s_end: int, is_send: bool) -> None:
    """Objects of one report cue: the first agency after a short filler, its list, a body
    after 'tổng hợp trình', and any '(qua X)' / 'thông qua X' later in the sentence."""
    v, view = _vocab(), doc.view
    limit = max(s_end, ce)
    list_end = ce
    for m in doc.mentions_in(ce, limit):
        gap = view[ce : m.start]
        if m.start - ce > v.report_max_gap or v.report_stop_re.search(gap) or "(" in gap or ";" in gap or ":" in gap:
            break
        if is_send and gap.strip() not in ("", "về"):
            break
        if m.kind != "agency":
            continue
        items, list_end = _parse_list_at(doc, m.start, limit)
        for it in items:
            doc.add_role(it, "report_to")
        sub = v.report_submit_re.match(view, list_end, limit)
        if sub:
            for it in _parse_list_at(doc, sub.end(), limit)[0]:
                if it.kind == "agency":
                    doc.add_role(it, "report_to")
        break
    for vm in v.report_via_re.finditer(view, ce, limit):
        if v.report_stop_re.search(view[max(ce, list_end) : vm.start()]) or ";" in view[ce : vm.start()]:
            break
        for it in _parse_list_at(doc, vm.end(), limit)[0]:
            if it.kind == "agency":
                doc.add_role(it, "report_to")


def _extract_heading_leads(doc: _Doc) -> list[Assignment]:
    """Items of an assignment section whose heading names agencies: each named body leads the
    item, and the item becomes an assignment (task = the rest of the heading line, if any)."""
    out: list[Assignment] = []
    for sec in doc.ctx.index.flat:
        if not _is_assignment_section(doc, sec):
            continue
        for child in sec.children:
            if child.kind in ("table", "table_row") or not doc.role_zone(child.span.start):
                continue
            heads = _heading_agencies(doc, child)
            if not heads:
                continue
            for m in heads:
                doc.add_role(m, "lead", heading=True)
            _s, e = _heading_bounds(doc, child)
            rest = doc.text[heads[-1].end : e].strip(" :;,.-*")
            if _REST_GENERIC.match(_view(rest)):
                rest = ""
            out.append(Assignment(section_id=child.id, task=rest or None, lead=_unique([m.name for m in heads])))
    return out


@dataclass
class _Field:
    kind: str
    val_start: int
    val_end: int


def _extract_fields(doc: _Doc) -> list[Assignment]:
    """Activity fields and the assignment of their activity.

    "b. Chỉ đạo thực hiện: Đ/c Nguyễn Thanh Mân, Phó chủ tịch UBND thành phố." (the directing
    person; bodies named in it get 'direct'); "c. Cơ quan chủ trì thực hiện: Phòng  Lao động –
    TB&XH thành phố." (lead); "d. Cơ quan phối hợp thực hiện: Công an thành phố, Tòa án thành
    phố, …" (coordinate); "đ. Thời gian thực hiện: Thường xuyên." (timeframe); "Sản phẩm: …"
    (output). Labels of roles.json 'fields'. When the field line is its own section (a point
    titled with the label) the activity is its parent, else the section holding the line.
    """
    v, view, text = _vocab(), doc.view, doc.text
    groups: dict[str, list[_Field]] = {}
    activities: dict[str, Optional[Section]] = {}
    for fm in v.field_re.finditer(view, 0, doc.end):
        kind = v.field_kinds.get(_squash(fm.group("cue")))
        vs, ve = fm.start("val"), fm.end("val")
        while ve > vs and text[ve - 1].isspace():
            ve -= 1
        if kind is None or ve <= vs or not doc.role_zone(fm.start("cue")):
            continue
        sec = doc.ctx.index.locate(fm.start("cue"))
        activity = sec
        if sec is not None and fm.start() <= sec.span.start <= fm.start("cue"):
            pid = doc.ctx.index.parent.get(sec.id)
            if pid is not None:
                activity = doc.ctx.index.by_id[pid]
        aid = activity.id if activity is not None else ""
        activities.setdefault(aid, activity)
        groups.setdefault(aid, []).append(_Field(kind, vs, ve))

    out: list[Assignment] = []
    for aid, fields in groups.items():
        if not any(f.kind in ("lead", "coordinate", "direct") for f in fields):
            continue
        act = activities[aid]
        a = Assignment(section_id=aid or None, task=_task_title(doc, act) if act is not None else None)
        for f in fields:
            value = text[f.val_start : f.val_end].strip().rstrip(" .;")
            if f.kind in ("lead", "coordinate"):
                target = a.lead if f.kind == "lead" else a.coordinating
                for s, e in _split_items(text, view, f.val_start, f.val_end):
                    for m in _agencies_in(text, view, s, e, doc.city_level):
                        if doc.add_role(m, f.kind) and m.name not in target:
                            target.append(m.name)
            elif f.kind == "direct":
                a.directing = value
                for m in _scan(text, view, f.val_start, f.val_end, doc.city_level):
                    if m.kind == "agency":
                        doc.add_role(m, "direct")
            elif f.kind == "timeframe":
                a.timeframe = value
            elif f.kind == "output":
                a.output = value
        out.append(a)
    return out


def _task_title(doc: _Doc, sec: Section) -> Optional[str]:
    if sec.title:
        return sec.title.strip().rstrip(":.;").strip() or None
    s, e = _heading_bounds(doc, sec)
    return doc.text[s:e].strip().rstrip(":.;").strip() or None


_PIPE_ROW = re.compile(r"(?m)^[ ]{0,8}\|[^\n]{1,4000}\|[ ]{0,8}$")
_LINE = re.compile(r"(?m)^[^\n]{0,20000}$")


def _trim_cell(view: str, s: int, e: int) -> tuple[int, int]:
    while s < e and view[s] in " *\n":
        s += 1
    while e > s and view[e - 1] in " *\n":
        e -= 1
    return s, e


def _pipe_tables(view: str, end: int) -> list[list[list[tuple[int, int]]]]:
    """Tables written one row per line: '| a | b | c |'."""
    tables: list[list[list[tuple[int, int]]]] = []
    prev_end = -10
    for rm in _PIPE_ROW.finditer(view, 0, end):
        if rm.start() > prev_end + 1:
            tables.append([])
        prev_end = rm.end()
        bars = [m.start() for m in _BAR.finditer(view[rm.start() : rm.end()])]
        tables[-1].append([_trim_cell(view, rm.start() + a + 1, rm.start() + b) for a, b in zip(bars, bars[1:])])
    return tables


def _flat_tables(view: str, end: int) -> list[list[list[tuple[int, int]]]]:
    """Tables flattened one cell per line between lines holding only '|'; a row ends where two
    '|' lines meet ('|\nTT\n|\nTên đề án\n|\nCơ quan chủ trì\n|\n|\n1\n|\n…')."""
    tables: list[list[list[tuple[int, int]]]] = []
    rows: list[list[tuple[int, int]]] = []
    row: list[tuple[int, int]] = []
    cell: Optional[tuple[int, int]] = None
    in_table = False
    for lm in _LINE.finditer(view, 0, end):
        line = view[lm.start() : lm.end()].strip()
        if line == "|":
            if not in_table:
                in_table, rows, row, cell = True, [], [], None
            elif cell is not None:
                row.append(_trim_cell(view, *cell))
                cell = None
            else:  # two bars: the row ends
                if row:
                    rows.append(row)
                row = []
            continue
        if not in_table:
            continue
        if line == "" and cell is None:
            if row:
                rows.append(row)
            if len(rows) > 1:
                tables.append(rows)
            in_table, rows, row = False, [], []
            continue
        cell = (cell[0] if cell is not None else lm.start(), lm.end())
    if in_table:
        if row:
            rows.append(row)
        if len(rows) > 1:
            tables.append(rows)
    return tables


def _extract_tables(doc: _Doc) -> list[Assignment]:
    """Assignment tables: rows of '| … |' lines, or cells flattened one per line between '|'
    lines.

    Header "| TT | Nhiệm vụ | Cơ quan chủ trì | Cơ quan phối hợp | Thời gian hoàn thành | Sản
    phẩm |" (any order; column names in roles.json 'table_columns'); each following row is an
    assignment ("| 1. | Xây dựng … | Bộ Thông tin và Truyền thông | Ban Tuyên giáo Trung ương;
    các bộ, ngành, địa phương; VTV, VOV, TTXVN | Quyết định … | 6/2025 |"), its section the
    row's own (kind 'table_row'). A row with fewer cells than the header (the cells of merged
    'TT' and task columns left out) is aligned on the lead column. Group rows with no body and
    no time ("| **I.** | Nâng cao nhận thức … | | |") and separator rows are skipped.
    """
    v, view, text = _vocab(), doc.view, doc.text
    out: list[Assignment] = []
    if not v.role_column_re.search(view, 0, doc.end):
        return out
    for rows in _pipe_tables(view, doc.end) + _flat_tables(view, doc.end):
        cols: Optional[dict[int, str]] = None
        ncols = 0
        for cells in rows:
            header = {i: v.table_cols[k] for i, (s, e) in enumerate(cells) if (k := _squash(view[s:e].rstrip(" :"))) in v.table_cols}
            if "lead" in header.values() or "coordinate" in header.values():
                cols, ncols = header, len(cells)
                continue
            if cols is None or not cells or all(_EMPTY_CELL.fullmatch(view, s, e) for s, e in cells):
                continue
            if not doc.role_zone(cells[0][0]):
                continue
            shift = 0
            if len(cells) < ncols:
                first_role_col = min(i for i, k in cols.items() if k in ("lead", "coordinate"))
                shift = first_role_col
            a = Assignment(section_id=doc.ctx.section_id_at(cells[0][0]))
            for i, (s, e) in enumerate(cells):
                kind = cols.get(i + shift)
                if kind is None or e <= s:
                    continue
                if kind in ("lead", "coordinate"):
                    target = a.lead if kind == "lead" else a.coordinating
                    for ss, ee in _split_items(text, view, s, e):
                        for m in _agencies_in(text, view, ss, ee, doc.city_level):
                            if doc.add_role(m, kind) and m.name not in target:
                                target.append(m.name)
                elif kind in ("task", "timeframe", "output"):
                    setattr(a, kind, text[s:e].strip())
            if a.lead or a.coordinating or a.timeframe:
                out.append(a)
    return out


# ---------------------------------------------------------------------------------------------
# Assembly
# ---------------------------------------------------------------------------------------------


def _unique(xs: list[str]) -> list[str]:
    out: list[str] = []
    for x in xs:
        if x not in out:
            out.append(x)
    return out


_RECIPIENTS = re.compile(r"(?m)^[ |*]{0,8}nơi nhận[ *]{0,3}:")


def _recipient_zones(ctx: Context, view: str, end: int) -> list[tuple[int, int]]:
    """'Nơi nhận:' blocks: from the label to the end of the section holding it."""
    zones = []
    for m in _RECIPIENTS.finditer(view, 0, end):
        sec = ctx.index.locate(m.start())
        zend = sec.span.end if sec is not None and sec.kind in ("closing", "preamble") else end
        if sec is not None and sec.kind not in ("closing", "preamble"):
            # a 'Nơi nhận' inside an outline node: up to the next blank line run or the node end
            nxt = _BLANK_LINES.search(view, m.end(), sec.span.end)
            zend = nxt.start() if nxt else sec.span.end
        zones.append((m.start(), zend))
    return zones


def role_section_id(ctx: Context, section_id: Optional[str]) -> Optional[str]:
    """Where a role is annotated: a field section ('c. Cơ quan chủ trì thực hiện: …') is lifted
    to its activity, and a bullet to its nearest ancestor that is not a bullet."""
    if section_id is None or section_id not in ctx.index.by_id:
        return section_id
    v = _vocab()
    cur = section_id
    while True:
        sec = ctx.index.by_id[cur]
        parent = ctx.index.parent.get(cur)
        if parent is None:
            return cur
        is_field = _squash(_title_view(sec).split(":")[0]) in v.field_kinds
        if sec.kind == "bullet" or is_field:
            cur = parent
            continue
        return cur


def _drop_coordinate_of_leads(doc: _Doc, field_assignments: list[Assignment]) -> None:
    """Inside an activity whose fields name X as lead, 'Phối hợp với X' (in its title or
    content) does not also make X a coordinating body of that activity."""
    for a in field_assignments:
        sec = doc.ctx.index.by_id.get(a.section_id or "")
        if sec is None or not a.lead:
            continue
        leads = {text_key(n) for n in a.lead}
        for k in list(doc.roles):
            roles = doc.roles[k]
            if sec.span.start <= k[0] < sec.span.end and "coordinate" in roles and "lead" not in roles:
                if text_key(doc.role_match[k].name) in leads:
                    del roles["coordinate"]
                    if not roles:
                        del doc.roles[k]


def extract_agencies(ctx: Context) -> tuple[list[Agency], list[Assignment]]:
    """Agencies with every mention and its role, and the assignments of the plan.

    Agency ids are "ag-1", "ag-2", … in order of first mention. Roles come from activity
    fields (``_extract_fields``), items headed by an agency in 'Tổ chức thực hiện' and
    similar sections (``_extract_heading_leads``), running text (``_extract_verb_roles``)
    and assignment tables (``_extract_tables``); every other mention is 'mentioned', as is
    every mention in situation analysis (sections titled "Thực trạng", "Kết quả thực hiện",
    "Đánh giá …", "Sự cần thiết" …), the preamble, the 'Nơi nhận' list and footnote bodies.
    Generic groups ("các sở, ban, ngành", "UBND các xã, phường") are never agencies; "Ủy ban
    nhân dân các huyện, thị xã, thành phố" heading an item is the agency "Ủy ban nhân dân cấp
    huyện".
    """
    text = ctx.text
    view = _view(text)
    end = ctx.body_end if 0 <= ctx.body_end <= len(text) else len(text)
    city_level = _city_level(ctx)
    found = _scan(text, view, 0, end, city_level)
    for fn in ctx.footnotes:
        if fn.span.start >= end:
            found.extend(_scan(text, view, fn.span.start, fn.span.end, city_level))
    found.sort(key=lambda m: m.start)
    doc = _Doc(ctx, text, view, city_level, end, _recipient_zones(ctx, view, end), found, [m.start for m in found])

    field_assignments = _extract_fields(doc)
    heading_assignments = _extract_heading_leads(doc)
    _extract_verb_roles(doc)
    table_assignments = _extract_tables(doc)
    _drop_coordinate_of_leads(doc, field_assignments)

    role_keys = sorted(doc.roles)
    for a in heading_assignments:  # coordinating bodies of an item: its 'phối hợp với' objects
        sec = ctx.index.by_id.get(a.section_id or "")
        if sec is None:
            continue
        i = bisect.bisect_left(role_keys, (sec.span.start, -1))
        while i < len(role_keys) and role_keys[i][0] < sec.span.end:
            k = role_keys[i]
            if "coordinate" in doc.roles[k]:
                name = doc.role_match[k].name
                if name not in a.coordinating and name not in a.lead:
                    a.coordinating.append(name)
            i += 1
    assignments = field_assignments + heading_assignments + table_assignments
    assignments.sort(key=lambda a: _section_start(ctx, a.section_id))

    # mentions: a span with roles replaces the plain mention of the same (or an overlapping) span
    entries: dict[tuple[int, int], tuple[_Match, list[tuple[str, Optional[int]]]]] = {
        (m.start, m.end): (m, [("mentioned", None)]) for m in found if m.kind == "agency"
    }
    plain = sorted(entries)
    for k in role_keys:
        i = max(0, bisect.bisect_left(plain, k) - 2)
        while i < len(plain) and plain[i][0] < k[1]:
            pk = plain[i]
            if pk != k and pk[1] > k[0] and entries.get(pk, (None, []))[1] == [("mentioned", None)]:
                del entries[pk]
            i += 1
        stated = doc.roles[k]
        entries[k] = (doc.role_match[k], [(r, at) for r in ROLE_ORDER if r in stated for at in sorted(stated[r], key=lambda x: -1 if x is None else x)])

    new_mention = AgencyMention.__pydantic_validator__.validate_python
    new_agency = Agency.__pydantic_validator__.validate_python
    agencies: dict[str, Agency] = {}
    for (s, e), (m, roles) in sorted(entries.items()):
        k = text_key(m.name)
        ag = agencies.get(k)
        if ag is None:
            # = Agency(id=…, name=…, level=…), validated from a dict
            ag = agencies[k] = new_agency({"id": f"ag-{len(agencies) + 1}", "name": m.name, "level": m.level})
        elif ag.level == "unknown" and m.level != "unknown":
            ag.level = m.level  # type: ignore[assignment]
        raw = text[s:e]
        for ab in _abbreviations(raw):
            if ab not in ag.abbreviations:
                ag.abbreviations.append(ab)
        seen: set[tuple[str, Optional[str]]] = set()
        for role, at in roles:
            sid = ctx.section_id_at(s if at is None else at)
            if (role, sid) not in seen:
                seen.add((role, sid))
                # = AgencyMention(…, span=Span(start=s, end=e)), validated in one call from a dict
                ag.mentions.append(new_mention({"section_id": sid, "raw": raw, "role": role, "span": {"start": s, "end": e}}))
    return list(agencies.values()), assignments


@lru_cache(maxsize=4096)
def _abbreviations(raw: str) -> tuple[str, ...]:
    """``abbrev_re.findall(raw)`` (the same names are mentioned over and over)."""
    return tuple(_vocab().abbrev_re.findall(raw))


def _section_start(ctx: Context, sid: Optional[str]) -> int:
    sec = ctx.index.by_id.get(sid or "")
    return sec.span.start if sec is not None else -1
