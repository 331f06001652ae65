"""Legacy Vietnamese encodings: decode, encode, detect, and repair mojibake.

Encodings handled (tables are data files under ``planparse/data/encodings/``, each naming its
source in ``_doc``):

- ``tcvn3`` — TCVN 5712:1993 (VN1/VN3, the ABC ".VnTime" fonts): one byte per letter, lower-case
  letters on Latin-1 code points ("Kế hoạch" is the bytes shown as "KÕ ho¹ch" in a Latin font);
- ``vni`` — VNI-Windows ("VNI-Times" fonts): base letter + a separate mark byte ("Keá hoaïch");
- ``viscii`` — VISCII (RFC 1456);
- ``cp1258`` — Windows-1258: precomposed ă â ê ô ơ ư đ plus combining tone marks ("Kê\u0301");
- any Python codec name (``utf-8``, ``utf-16``, ``latin-1`` …) when given explicitly.

Every legacy decoding is returned in Unicode NFC. Detection scores each candidate decoding by the
share of its non-ASCII tokens that are well-formed Vietnamese syllables and the share of tokens
that are frequent administrative words with diacritics (``data/encodings/vietnamese.json``);
the confidence is the winner's score discounted by how close the runner-up came.

Mojibake: TCVN3/VNI bytes that were shown with a Latin font and saved as UTF-8 ("KÕ ho¹ch",
"Keá hoaïch") are valid UTF-8; ``repair_mojibake`` maps such text back to its Windows-1252 bytes
line by line and decodes them with the legacy table when that scores far better.
"""

from __future__ import annotations

import codecs
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Optional

import regex as re

from ..vocab import load

LEGACY = ("tcvn3", "vni", "viscii", "cp1258")
LABELS = {"tcvn3": "TCVN3 (ABC)", "vni": "VNI-Windows", "viscii": "VISCII", "cp1258": "Windows-1258", "utf-8": "UTF-8"}
SAMPLE_CHARS = 16_000

_TONES = "\u0300\u0301\u0303\u0309\u0323"
# Latin-1 letters that Vietnamese uses (with their capitals); any other Latin-1 symbol or letter in a
# "Vietnamese" text is a sign of a legacy encoding read as Windows-1252
_VI_LATIN1 = set("àáâãèéêìíòóôõùúýÀÁÂÃÈÉÊÌÍÒÓÔÕÙÚÝ")
_TOKEN = re.compile(r"[^\s\d.,;:!?()\[\]{}\"'“”‘’/\\\-–—…%*+=<>|_#@&~^`]+")
_WORD_CHARS = re.compile(r"\p{L}+")


# --------------------------------------------------------------------------- tables


def _byte_to_char() -> list[str]:
    """Byte → character as Windows-1252 shows it; its five undefined bytes fall back to Latin-1."""
    out = []
    for b in range(256):
        try:
            out.append(bytes([b]).decode("cp1252"))
        except UnicodeDecodeError:
            out.append(chr(b))
    return out


_CP1252 = _byte_to_char()
_CP1252_TO_LATIN1 = {ord(c): b for b, c in enumerate(_CP1252) if ord(c) != b}
_LATIN1_TO_CP1252 = {b: c for b, c in enumerate(_CP1252) if ord(c) != b}


@lru_cache(maxsize=None)
def _single_byte_table(name: str) -> dict[int, str]:
    """``str.translate`` table from a Latin-1-decoded string to Unicode for a one-byte encoding."""
    data = load(f"encodings/{name}.json")
    return {int(k, 16): v for k, v in data["bytes"].items()}


@lru_cache(maxsize=None)
def _vni_tables() -> tuple[re.Pattern, dict[str, str]]:
    """(pattern, sequence → letter) for VNI-Windows read as Windows-1252: the two-byte letters
    ("aù" → "á") and the one-byte ones ("ô" → "ơ", "ó" → "ĩ"), matched in one pass, pairs first."""
    letters: dict[str, str] = load("encodings/vni.json")["letters"]
    seqs: dict[str, str] = {}
    for letter, seq in letters.items():
        seqs[seq] = letter
    for letter, seq in letters.items():
        if len(seq) == 2:
            # a mark typed in the other case than its base letter (Word's "change case")
            base, mark = seq
            seqs.setdefault(base + (mark.lower() if mark.isupper() else mark.upper()), letter)
    pattern = re.compile("|".join(re.escape(k) for k in sorted(seqs, key=len, reverse=True)))
    return pattern, seqs


@lru_cache(maxsize=None)
def _encode_tables() -> dict[str, dict[str, bytes]]:
    """Unicode letter → bytes for each legacy table (inverse of the decode tables)."""
    out: dict[str, dict[str, bytes]] = {}
    for name in ("tcvn3", "viscii"):
        table = {}
        for b, ch in _single_byte_table(name).items():
            if unicodedata.combining(ch) == 0:
                table.setdefault(ch, bytes([b]))
        out[name] = table
    vni = {}
    for letter, seq in load("encodings/vni.json")["letters"].items():
        vni[letter] = bytes(_CP1252.index(c) for c in seq)
    out["vni"] = vni
    return out


# --------------------------------------------------------------------------- names


def canonical_name(name: str) -> str:
    """Canonical encoding name: "TCVN3", "abc", ".VnTime" → "tcvn3"; "VNI-Win" → "vni";
    "windows-1258" → "cp1258"; "utf-8+tcvn3" (UTF-8 mojibake of TCVN3) kept; anything else is
    looked up as a Python codec ("utf8" → "utf-8"). Raises LookupError for unknown names."""
    n = name.strip().lower().replace("_", "-")
    if "+" in n:
        first, _, second = n.partition("+")
        return f"{canonical_name(first)}+{canonical_name(second)}"
    for legacy in ("tcvn3", "vni", "viscii"):
        aliases = load(f"encodings/{legacy}.json")["aliases"]
        if n in aliases or n.replace("-", "") in aliases:
            return legacy
    if n in ("cp1258", "windows-1258", "windows1258", "1258", "vn-windows"):
        return "cp1258"
    return codecs.lookup(n).name


# --------------------------------------------------------------------------- decode / encode


def _latin1(data: bytes) -> str:
    return data.decode("latin-1")


def decode(data: bytes, name: str) -> str:
    """Decode ``data`` in the legacy encoding ``name`` (tcvn3, vni, viscii, cp1258) to NFC text.

    Bytes the table does not define keep their Windows-1252 meaning (ASCII, punctuation); never
    raises for these encodings."""
    if name == "cp1258":
        text = data.decode("cp1258", errors="replace")
    elif name in ("tcvn3", "viscii"):
        text = _latin1(data).translate(_single_byte_table(name))
    elif name == "vni":
        text = _decode_vni_chars(_latin1(data).translate(_LATIN1_TO_CP1252))
    else:
        raise LookupError(name)
    return unicodedata.normalize("NFC", text)



def _decode_vni_chars(text: str) -> str:
    """VNI-Windows text read as Windows-1252 ("Vieät Nam") → Unicode ("Việt Nam")."""
    pattern, seqs = _vni_tables()
    return pattern.sub(lambda m: seqs[m.group()], text)


def encode(text: str, name: str) -> bytes:
    """Encode NFC ``text`` into a legacy encoding (tcvn3, vni, viscii, cp1258).

    cp1258 writes a letter as its precomposed byte when there is one, else as base letter +
    combining tone mark ("ế" → "ê" + U+0301). Characters the encoding lacks raise
    UnicodeEncodeError. Used by the tests and by anyone producing legacy files."""
    text = unicodedata.normalize("NFC", text)
    if name == "cp1258":
        out = bytearray()
        for i, ch in enumerate(text):
            try:
                out += ch.encode("cp1258")
            except UnicodeEncodeError:
                decomposed = unicodedata.normalize("NFD", ch)
                base = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in _TONES))
                tones = "".join(c for c in decomposed if c in _TONES)
                try:
                    out += (base + tones).encode("cp1258")
                except UnicodeEncodeError:
                    raise UnicodeEncodeError("cp1258", text, i, i + 1, "not in Windows-1258") from None
        return bytes(out)
    table = _encode_tables()[name]
    out = bytearray()
    for i, ch in enumerate(text):
        if ch in table:
            out += table[ch]
        elif ord(ch) < 128:
            out.append(ord(ch))
        elif name == "vni" and ch in _CP1252_SYMBOLS:
            out += _CP1252_SYMBOLS[ch]
        elif name != "vni" and ord(ch) < 256 and ch not in _reserved(name):
            out.append(ord(ch))
        else:
            raise UnicodeEncodeError(name, text, i, i + 1, f"not in {LABELS.get(name, name)}")
    return bytes(out)


# VNI keeps Windows-1252 below 0xC0 (quotes, dashes, symbols); 0xC0-0xFF are letters and marks
_CP1252_SYMBOLS = {c: bytes([b]) for b, c in enumerate(_CP1252) if 0x80 <= b < 0xC0}


@lru_cache(maxsize=None)
def _reserved(name: str) -> frozenset[str]:
    """Latin-1 characters whose byte a one-byte table reuses for a Vietnamese letter."""
    return frozenset(chr(b) for b in _single_byte_table(name))


# --------------------------------------------------------------------------- scoring


@lru_cache(maxsize=None)
def _syllable_re() -> re.Pattern:
    v = load("encodings/vietnamese.json")

    def alt(words: list[str]) -> str:
        return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))

    return re.compile(rf"(?:{alt(v['onsets'])})?(?:{alt(v['nuclei'])})(?:{alt(v['codas'])})?")


@lru_cache(maxsize=None)
def _frequent() -> frozenset[str]:
    return frozenset(load("encodings/vietnamese.json")["frequent_words"])


@lru_cache(maxsize=None)
def _tone_strip() -> dict[int, str]:
    """Translate table: a toned Vietnamese letter → (its toneless letter + a tone flag "\x01")."""
    table: dict[int, str] = {}
    for cp in list(range(0xC0, 0x250)) + list(range(0x1EA0, 0x1F00)):
        ch = chr(cp)
        d = unicodedata.normalize("NFD", ch)
        if any(c in _TONES for c in d):
            base = unicodedata.normalize("NFC", "".join(c for c in d if c not in _TONES))
            table[cp] = base + "\x01"
    return table


def is_syllable(token: str) -> bool:
    """True for a well-formed Vietnamese syllable in NFC, any case, at most one tone mark:
    "của", "Nghiêng", "quyết", "ĐỒNG"; False for "ho¹ch", "keá", "vieät", "kho\u0301"."""
    t = token.lower().translate(_tone_strip())
    if t.count("\x01") > 1:
        return False
    return _syllable_re().fullmatch(t.replace("\x01", "")) is not None


@dataclass
class Score:
    """How Vietnamese a decoding looks: ``value`` in 0..1 and the counts behind it."""

    value: float
    tokens: int
    hard: int  # tokens with a non-ASCII character
    valid: int  # … of which well-formed syllables
    frequent: int  # tokens in the frequent-word list


def score(text: str) -> Score:
    """Score ``text`` (a sample): share of non-ASCII tokens that are valid syllables, weighted by
    the share of frequent diacritic words (about 10-20 % of tokens in real plans)."""
    tokens = _TOKEN.findall(text)
    hard = valid = frequent = 0
    freq = _frequent()
    for tok in tokens:
        if tok.isascii():
            continue
        hard += 1
        low = tok.lower()
        if low in freq:
            frequent += 1
            valid += 1
        elif is_syllable(tok):
            valid += 1
    n = len(tokens)
    if hard == 0:
        return Score(0.0, n, 0, 0, 0)
    valid_share = valid / hard
    freq_share = frequent / max(n, 1)
    value = valid_share * (0.4 + 0.6 * min(1.0, freq_share / 0.06))
    # a decoding that leaves control characters or U+FFFD behind is not text
    junk = sum(1 for ch in text if (ord(ch) < 32 and ch not in "\r\n\t\f") or ch == "\ufffd")
    if junk:
        value *= max(0.0, 1.0 - 20 * junk / max(len(text), 1))
    return Score(round(value, 4), n, hard, valid, frequent)


@dataclass
class Detection:
    """Result of ``detect``: chosen encoding, NFC text, confidence and every candidate's score."""

    encoding: str
    text: str
    confidence: float
    scores: dict[str, float] = field(default_factory=dict)

    def describe(self) -> str:
        ranked = sorted(self.scores.items(), key=lambda kv: -kv[1])
        others = ", ".join(f"{LABELS.get(k, k)} {v:.2f}" for k, v in ranked[1:3])
        return f"{LABELS.get(self.encoding, self.encoding)} (score {self.scores.get(self.encoding, 0):.2f}; next: {others})"


def _confidence(best: float, second: float) -> float:
    """Winner's score, discounted when the runner-up is close (margin below 0.3)."""
    margin = best - second
    return round(max(0.05, min(1.0, best * min(1.0, 0.4 + 2 * margin))), 2)


def _sample(data: bytes) -> bytes:
    """The bytes used for scoring: the start and a slice from the middle of a long file."""
    if len(data) <= SAMPLE_CHARS:
        return data
    half = SAMPLE_CHARS // 2
    mid = len(data) // 2
    return data[:half] + b"\n" + data[mid : mid + half]


def detect(data: bytes, candidates: tuple[str, ...] = LEGACY) -> Detection:
    """Pick the legacy encoding of ``data`` (bytes that are not UTF-8) by scoring each candidate
    decoding of a sample; Windows-1258 wins ties and texts that look Vietnamese in none of them."""
    sample = _sample(data)
    scores = {name: score(decode(sample, name)).value for name in candidates}
    ranked = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0] != "cp1258"))
    best, best_score = ranked[0]
    second = ranked[1][1] if len(ranked) > 1 else 0.0
    if best_score < 0.3:
        best = "cp1258"
        conf = 0.3
    else:
        conf = _confidence(best_score, second)
    return Detection(best, decode(data, best), conf, scores)


# --------------------------------------------------------------------------- mojibake


def _suspicious(text: str) -> bool:
    """Text that looks like legacy bytes shown with a Latin font: Latin-1 symbols/letters that
    Vietnamese never uses ("¹", "µ", "ï", "ø") outnumber the letters only Unicode Vietnamese has."""
    foreign = len(_FOREIGN.findall(text))
    return foreign >= 5 and foreign > len(_VI_ONLY.findall(text))


_FOREIGN = re.compile("[" + "".join(chr(c) for c in range(0x80, 0x100) if chr(c) not in _VI_LATIN1 and c != 0xA0) + "‚ƒ„†‡ˆ‰Š‹ŒŽ•˜™š›œžŸ]")
_VI_ONLY = re.compile("[\u0102-\u01B0\u1EA0-\u1EF9]")


def _to_bytes(line: str) -> Optional[bytes]:
    """The Windows-1252 (Latin-1 for its holes) bytes a line was decoded from, or None."""
    s = line.translate(_CP1252_TO_LATIN1)
    try:
        return s.encode("latin-1")
    except UnicodeEncodeError:
        return None


@dataclass
class Repair:
    """A repaired mojibake text: which table, how many lines changed, confidence, scores."""

    encoding: str
    text: str
    confidence: float
    lines: int
    scores: dict[str, float]


def repair_mojibake(text: str, candidates: tuple[str, ...] = ("tcvn3", "vni", "viscii", "cp1258")) -> Optional[Repair]:
    """Repair TCVN3/VNI/VISCII/Windows-1258 text that was read as Windows-1252 and saved as
    UTF-8 ("KÕ ho¹ch" → "Kế hoạch", "Keá hoaïch" → "Kế hoạch"). Returns None when the text does
    not look like such mojibake or no table scores clearly better than the text as it is.

    Lines holding characters outside Windows-1252 (real Unicode Vietnamese in a mixed file) are
    kept as they are; the others are re-decoded with the winning table."""
    sample = text[:SAMPLE_CHARS]
    if not _suspicious(sample):
        return None
    lines = sample.split("\n")
    raw = [_to_bytes(ln) for ln in lines]
    convertible = b"\n".join(b for b in raw if b is not None)
    if not convertible:
        return None
    original = score("\n".join(ln for ln, b in zip(lines, raw) if b is not None)).value
    scores = {"utf-8": original}
    for name in candidates:
        scores[name] = score(decode(convertible, name)).value
    best = max(candidates, key=lambda n: scores[n])
    if scores[best] < 0.5 or scores[best] < original + 0.25:
        return None
    out = []
    changed = 0
    for line in text.split("\n"):
        b = _to_bytes(line) if not line.isascii() else None
        if b is None:
            out.append(line)
            continue
        new = decode(b, best)
        changed += new != line
        out.append(new)
    second = max(v for k, v in scores.items() if k != best)
    return Repair(best, "\n".join(out), _confidence(scores[best], second), changed, scores)

