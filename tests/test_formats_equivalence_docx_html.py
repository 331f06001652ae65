"""Format equivalence: each seed written as a real Word document and as a saved web page parses
into the same outline, legal references, targets and agencies as its .txt.

The DOCX is what the Word original looks like: headings numbered by Word's automatic
numbering (numbering.xml: upperRoman "I.", decimal "1."/"1)"/"(1)", lowerLetter "a)"/"a.",
bullet "-"/"+"; a new list instance with ``startOverride`` wherever the seed restarts or skips a
label), footnotes as real footnotes, "|" rows as Word tables. Labels Word cannot number stay
typed in the text, as authors type them: "đ)" (Word's lowerLetter has no "đ", so the following
"e)" is the automatic fifth letter), "1.1."-style labels and "Điều 1.". The HTML is a portal page:
a banner, a nav menu, a sidebar of links, a cookie pop-up, scripts, styles and a footer around
the document; ordered lists as ``<ol type start>``, hard-wrapped source lines, entities, Word's
``[n]`` footnote links.

Both are built from the seed's normalised text (what a reader sees: markers detached, page
breaks rejoined), so the comparison is of reading, not of clean-up. Differences found and why
they are allowed are listed in ``ALLOWED`` (empty when there are none).
"""

from __future__ import annotations

import html as html_lib
import re
from collections import Counter
from pathlib import Path

import pytest

pytest.importorskip("docx")
pytest.importorskip("lxml")

from conftest import CORPUS, SEEDS, parsed  # noqa: E402
from test_ingest_docx import WordBuilder  # noqa: E402

import planparse  # noqa: E402
from planparse.normalise import normalise  # noqa: E402

# --------------------------------------------------------------------------- the seed as blocks

_LABELS = [
    (re.compile(r"(?P<lab>[IVX]{1,6})\.(?=[ \t]+\S)"), "upperRoman", "%1."),
    (re.compile(r"(?P<lab>\d{1,2})\.(?=[ \t]+\S)"), "decimal", "%1."),
    (re.compile(r"(?P<lab>\d{1,2})\)(?=[ \t]+\S)"), "decimal", "%1)"),
    (re.compile(r"\((?P<lab>\d{1,2})\)(?=[ \t]+\S)"), "decimal", "(%1)"),
    (re.compile(r"(?P<lab>[a-z])\)(?=[ \t]+\S)"), "lowerLetter", "%1)"),
    (re.compile(r"(?P<lab>[a-z])\.(?=[ \t]+\S)"), "lowerLetter", "%1."),
    (re.compile(r"(?P<lab>-)(?=[ \t]+\S)"), "bullet", "-"),
    (re.compile(r"(?P<lab>\+)(?=[ \t]+\S)"), "bullet", "+"),
]
_ROMAN = {"I": 1, "V": 5, "X": 10}


def _roman_value(s: str) -> int:
    total = 0
    for i, ch in enumerate(s):
        v = _ROMAN[ch]
        total += -v if i + 1 < len(s) and _ROMAN[s[i + 1]] > v else v
    return total


def label_of(line: str):
    """(fmt, lvlText, value, rest) when the line starts with a label Word can number."""
    stripped = line.lstrip()
    for rx, fmt, template in _LABELS:
        m = rx.match(stripped)
        if m:
            lab = m.group("lab")
            value = _roman_value(lab) if fmt == "upperRoman" else int(lab) if fmt == "decimal" else ord(lab) - 96 if fmt == "lowerLetter" else None
            return fmt, template, value, stripped[m.end():].lstrip()
    return None


def _is_row(line: str) -> bool:
    s = line.strip()
    return s.startswith("|") or (s.endswith("|") and " | " in s)


def _cells(line: str) -> list[str]:
    s = line.strip()
    s = s[1:] if s.startswith("|") else s
    s = s[:-1] if s.endswith("|") else s
    return [c.strip() for c in s.split("|")]


NOTE = "\x00"


def seed_blocks(path: Path):
    """The seed as [("p", text) | ("table", rows)] with "\\x00k\\x00" at footnote k's marker, and the bodies."""
    norm = normalise(path.read_text(encoding="utf-8"))
    main = norm.text[: norm.body_end]
    notes = [fn for fn in norm.footnotes if fn.anchor is not None and fn.anchor <= norm.body_end]
    bodies = []
    for k, fn in sorted(enumerate(notes), key=lambda kv: kv[1].anchor, reverse=True):
        main = main[: fn.anchor] + f"{NOTE}{k}{NOTE}" + main[fn.anchor :]
    bodies = [fn.text for fn in notes]
    blocks: list = []
    for line in main.split("\n"):
        if _is_row(line):
            if blocks and blocks[-1][0] == "table":
                blocks[-1][1].append(_cells(line))
            else:
                blocks.append(("table", [_cells(line)]))
        else:
            blocks.append(("p", line))
    return blocks, bodies


# --------------------------------------------------------------------------- DOCX


def seed_to_docx(path: Path, out: Path, restart: str = "override") -> Path:
    """The seed as a Word document. A list that restarts (or skips a label) is a new ``w:num``
    with ``startOverride`` (``restart="override"``, Word's "Restart at 1"), or a new
    ``abstractNum`` whose ``w:start`` is the label (``restart="abstract"``, how Word stores a
    new list, and the form LibreOffice's .doc export keeps)."""
    blocks, bodies = seed_blocks(path)
    w = WordBuilder()
    lists: dict = {}  # (fmt, template) -> [abstractNumId, numId, counter]
    for kind, value in blocks:
        if kind == "table":
            t = w.table([[_plain(c, bodies) for c in row] for row in value])
            continue
        lab = label_of(value)
        if lab is None:
            w.para(_with_notes(w, value, bodies))
            continue
        fmt, template, n, rest = lab
        key = (fmt, template)
        state = lists.get(key)
        if state is None:
            text = "\uf0b7" if template == "•" else template
            state = lists[key] = [w.abstract([(fmt, text, 1)]), None, 0]
        if fmt == "bullet":
            if state[1] is None:
                state[1] = w.num(state[0])
        elif state[1] is None or n != state[2] + 1:
            if restart == "abstract":
                state[1] = w.num(w.abstract([(fmt, template, n)]))
            else:
                state[1] = w.num(state[0], {0: n})  # Word's "Restart at n"/"Set numbering value"
        state[2] = n if n is not None else 0
        w.para(_with_notes(w, rest, bodies), num=state[1])
    return w.save(out)


def _with_notes(w: WordBuilder, text: str, bodies: list[str]) -> str:
    parts = text.split(NOTE)
    for i in range(1, len(parts), 2):
        parts[i] = w.note(bodies[int(parts[i])])
    return "".join(parts)


def _plain(text: str, bodies: list[str]) -> str:
    parts = text.split(NOTE)
    return "".join(p for i, p in enumerate(parts) if i % 2 == 0)


# --------------------------------------------------------------------------- HTML

_CHROME_TOP = """<!DOCTYPE html>
<html lang="vi"><head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8">
<title>{title} - Cổng thông tin văn bản</title>
<link rel="stylesheet" href="/css/site.css">
<style>body {{ font-family: Arial; }} .menu li {{ display: inline; }}</style>
<script>window.dataLayer = window.dataLayer || []; function gtag(){{dataLayer.push(arguments);}} var s = "I. MỤC TIÊU 100%";</script>
</head>
<body>
<div id="header" class="site-header">
  <a class="logo" href="/"><img src="/logo.png" alt="Thư viện văn bản"></a>
  <div class="top-banner">Để sử dụng toàn bộ tiện ích nâng cao, vui lòng đăng ký gói cước. Hotline: 1900 6192</div>
  <form class="search-form" action="/tim-kiem"><input name="q" placeholder="Tìm văn bản"><button>Tìm</button></form>
</div>
<nav class="main-menu"><ul>
  <li><a href="/">Trang chủ</a></li><li><a href="/van-ban">Văn bản pháp luật</a></li>
  <li><a href="/hoi-dap">Hỏi đáp pháp luật</a></li><li><a href="/lien-he">Liên hệ</a></li>
</ul></nav>
<div class="breadcrumb"><a href="/">Trang chủ</a> » <a href="/van-ban">Văn bản</a> » Kế hoạch</div>
<div class="wrapper">
<aside class="sidebar"><h3>Văn bản liên quan</h3><ul>
  <li><a href="/vb/1">Quyết định số 488/QĐ-TTg ngày 14/4/2017 của Thủ tướng Chính phủ</a></li>
  <li><a href="/vb/2">Nghị định số 20/2021/NĐ-CP ngày 15/3/2021 của Chính phủ</a></li>
</ul><div class="quangcao">Quảng cáo: Phần mềm kế toán cho doanh nghiệp đạt 100% hài lòng</div></aside>
"""

_CHROME_BOTTOM = """
<div class="share-tools"><a href="#">Facebook</a> <a href="#">Email</a> <a href="#">In</a></div>
</div>
<div id="cookie-popup" class="modal">Trang web sử dụng cookie để nâng cao trải nghiệm. <button>Đồng ý</button></div>
<footer class="site-footer"><p>Bản quyền thuộc về Công ty; Địa chỉ: 17 Nguyễn Gia Thiều, Quận 3; Điện thoại: (028) 3930 3279.</p>
<p>Giấy phép số 27/GP-TTĐT ngày 09/5/2019 của Sở Thông tin và Truyền thông.</p></footer>
<script src="/js/app.js"></script>
<script>document.querySelectorAll(".menu a").forEach(function (a) {{ a.title = "Điều 1. Phạm vi"; }});</script>
</body></html>
"""

_CONTAINERS = [
    ('<div id="toanvancontent" class="toanvancontent">', "</div>"),  # vbpl.vn
    ('<div class="content1"><div id="divContentDoc"><div class="content1">', "</div></div></div>"),  # thuvienphapluat.vn
    ('<div class="noi-dung"><article>', "</article></div>"),  # found by text density
    ('<div class="col-md-9"><div class="box">', "</div></div>"),  # found by text density
    ('<div id="toanvancontent" class="toanvancontent">', "</div>"),
]
_ENTITIES = {"ệ": "&#7879;", "ư": "&#432;", "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"}
_OL_TYPE = {"decimal": "1", "lowerLetter": "a", "upperRoman": "I"}


def _esc(text: str, wrap: bool = True) -> str:
    out = "".join(_ENTITIES.get(ch, ch) for ch in text).replace("\u00a0", "&nbsp;")
    if wrap and len(out) > 90:
        # hard-wrapped source, as saved pages are: a browser joins the lines with a space
        words = out.split(" ")
        lines, cur = [], ""
        for wd in words:
            if cur and len(cur) + len(wd) > 80:
                lines.append(cur)
                cur = wd
            else:
                cur = f"{cur} {wd}" if cur else wd
        lines.append(cur)
        out = "\n    ".join(lines)
    return out


def _html_notes(text: str) -> str:
    parts = text.split(NOTE)
    out = []
    for i, p in enumerate(parts):
        if i % 2 == 0:
            out.append(_esc(p))
        else:
            k = int(p) + 1
            out.append(f'<a style="mso-footnote-id:ftn{k}" href="#_ftn{k}" name="_ftnref{k}" title=""><span class="MsoFootnoteReference">[{k}]</span></a>')
    return "".join(out)


def seed_to_html(path: Path, out: Path, container: int = 0) -> Path:
    blocks, bodies = seed_blocks(path)
    body: list[str] = []
    i = 0
    while i < len(blocks):
        kind, value = blocks[i]
        if kind == "table":
            rows = "\n".join("<tr>" + "".join(f"<td><p>{_esc(_plain(c, bodies))}</p></td>" for c in row) + "</tr>" for row in value)
            body.append(f'<table border="1" cellpadding="2">\n<tbody>{rows}</tbody></table>')
            i += 1
            continue
        lab = label_of(value)
        if lab and lab[0] in _OL_TYPE and lab[1] == "%1.":
            # a run of consecutive items of one list becomes <ol type start>
            run = [lab]
            j = i + 1
            while j < len(blocks) and blocks[j][0] == "p":
                nxt = label_of(blocks[j][1])
                if not nxt or nxt[:2] != lab[:2] or nxt[2] != run[-1][2] + 1:
                    break
                run.append(nxt)
                j += 1
            if len(run) >= 2:
                items = "\n".join(f"  <li>{_html_notes(r[3])}</li>" for r in run)
                body.append(f'<ol type="{_OL_TYPE[lab[0]]}" start="{lab[2]}">\n{items}\n</ol>')
                i = j
                continue
        if not value.strip():
            body.append("<p>&nbsp;</p>")
        elif lab and lab[0] in ("upperRoman",):
            body.append(f"<p><b>{_html_notes(value)}</b></p>")
        else:
            body.append(f'<p class="MsoNormal" style="text-align:justify">{_html_notes(value)}</p>')
        i += 1
    if bodies:
        body.append('<div style="mso-element:footnote-list"><hr align="left" size="1" width="33%">')
        for k, text in enumerate(bodies, 1):
            body.append(f'<div style="mso-element:footnote" id="ftn{k}"><p class="MsoFootnoteText"><a style="mso-footnote-id:ftn{k}" href="#_ftnref{k}" name="_ftn{k}" title="">[{k}]</a> {_esc(text)}</p></div>')
        body.append("</div>")
    open_tag, close_tag = _CONTAINERS[container % len(_CONTAINERS)]
    page = _CHROME_TOP.format(title=_esc(path.stem, False)) + open_tag + "\n" + "\n".join(body) + "\n" + close_tag + _CHROME_BOTTOM.format()
    out.write_text(page, encoding="utf-8")
    return out


# --------------------------------------------------------------------------- comparison


def _ws(s):
    return " ".join(s.split()) if s else s


def outline(doc) -> list[tuple]:
    """Every node as (path of (kind, label), title)."""
    out = []

    def walk(nodes, prefix):
        for n in nodes:
            path = prefix + ((n.kind, n.label),)
            out.append((path, _ws(n.title)))
            walk(n.children, path)

    walk(doc.sections, ())
    return out


def items(doc) -> dict:
    """Counts and keys of what the extractors found (whatever lists exist)."""
    out = {
        "legal_references": Counter((r.full_number or _ws(r.raw)) for r in doc.legal_references),
        "targets": Counter((t.value, t.unit) for t in doc.targets),
        "agencies": Counter(a.name for a in doc.agencies),
        "agency_roles": Counter((a.name, m.role) for a in doc.agencies for m in a.mentions),
        "footnotes": len(doc.footnotes),
        "metadata": doc.metadata.model_dump(),
    }
    for name in ("budgets", "assignments"):
        if hasattr(doc, name):
            out[name] = len(getattr(doc, name))
    return out


# Differences found between the formats, each with its reason ({seed: {fmt: {key: reason}}}).
ALLOWED: dict = {}

_SEED_NAMES = list(SEEDS)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    d = tmp_path_factory.mktemp("formats")
    out = {}
    for i, name in enumerate(_SEED_NAMES):
        src = CORPUS / SEEDS[name]
        out[name] = {
            "docx": seed_to_docx(src, d / f"{name}.docx"),
            "html": seed_to_html(src, d / f"{name}.html", container=i),
        }
    return out


@pytest.mark.parametrize("fmt", ["docx", "html"])
@pytest.mark.parametrize("name", _SEED_NAMES)
def test_same_outline_as_txt(built, name, fmt):
    ref = parsed(name)
    doc = planparse.parse(built[name][fmt])
    assert doc.source.format == fmt
    a, b = outline(ref), outline(doc)
    if a != b:
        diff = [(x, y) for x, y in zip(a, b) if x != y][:5]
        assert a == b, f"{name}.{fmt}: {len(a)} vs {len(b)} nodes; first differences: {diff}"


@pytest.mark.parametrize("fmt", ["docx", "html"])
@pytest.mark.parametrize("name", _SEED_NAMES)
def test_same_extracted_items_as_txt(built, name, fmt):
    ref = items(parsed(name))
    got = items(planparse.parse(built[name][fmt]))
    allowed = ALLOWED.get(name, {}).get(fmt, {})
    for key in ref:
        if key in allowed:
            continue
        assert got[key] == ref[key], f"{name}.{fmt} {key}: txt {ref[key]} vs {fmt} {got[key]}"


def test_docx_uses_real_automatic_numbering(built):
    """The generated Word files number their headings through numbering.xml, not typed labels."""
    import docx

    d = docx.Document(str(built["dong_nai"]["docx"]))
    numbered = [p for p in d.paragraphs if p._p.pPr is not None and p._p.pPr.numPr is not None]
    assert len(numbered) > 50
    assert not any(re.match(r"(?:[IVX]+\.|\d{1,2}\.|[a-z]\)|-)\s", p.text) for p in numbered)
    fmts = {lvl.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}val") for lvl in d.part.numbering_part.element.iter("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}numFmt")}
    assert {"decimal", "upperRoman", "lowerLetter", "bullet"} <= fmts
    overrides = list(d.part.numbering_part.element.iter("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}startOverride"))
    assert len(overrides) > 5


def test_html_chrome_is_gone(built):
    for name in _SEED_NAMES:
        text = planparse.ingest.read_file(built[name]["html"]).text
        for chrome in ("Trang chủ", "Hỏi đáp pháp luật", "Quảng cáo", "cookie", "Giấy phép số 27/GP-TTĐT", "dataLayer", "Facebook", "Tìm văn bản"):
            assert chrome not in text, (name, chrome)


@pytest.fixture(scope="module")
def built_doc(tmp_path_factory):
    """The DOCX seeds saved as Word 97-2003 .doc by LibreOffice (only where it is installed)."""
    import subprocess

    from planparse.ingest.doc import find_soffice

    soffice = find_soffice()
    if soffice is None:
        pytest.skip("LibreOffice is not installed (CI does not install it)")
    d = tmp_path_factory.mktemp("doc")
    # LibreOffice's .doc export turns a startOverride restart into a separate list that starts
    # again at I (its own text export of that .doc shows "I." twice): so the .doc is made from
    # the form it keeps, one abstract list per restart
    sources = [str(seed_to_docx(CORPUS / SEEDS[name], d / f"{name}.docx", restart="abstract")) for name in _SEED_NAMES]
    subprocess.run([soffice, f"-env:UserInstallation={(d / 'profile').as_uri()}", "--headless", "--convert-to", "doc", "--outdir", str(d), *sources], check=True, capture_output=True, timeout=600)
    return {name: (d / f"{name}.docx", d / f"{name}.doc") for name in _SEED_NAMES}


@pytest.mark.parametrize("name", _SEED_NAMES)
def test_doc_through_libreoffice_same_as_txt(built_doc, name):
    ref = parsed(name)
    for path in built_doc[name]:  # the abstract-list DOCX itself, then its .doc
        doc = planparse.parse(path)
        fmt = path.suffix[1:]
        assert doc.source.format == fmt
        assert outline(doc) == outline(ref), f"{name}.{fmt}"
        ref_items, got = items(ref), items(doc)
        for key in ref_items:
            if key not in ALLOWED.get(name, {}).get(fmt, {}):
                assert got[key] == ref_items[key], f"{name}.{fmt} {key}"
