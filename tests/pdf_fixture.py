"""Write a plan's text into a real PDF with fpdf2, as a word processor would lay it out.

Font: DejaVuSans (Vietnamese coverage; the built-in PDF fonts cannot write Vietnamese). It is
looked up in Debian's fonts-dejavu-core (/usr/share/fonts/truetype/dejavu/) and then in the copy
matplotlib ships (matplotlib/mpl-data/fonts/ttf/); ``dejavu()`` returns None when neither exists.

Layout: A4, 11 pt body text flowing left-aligned with a first-line indent and a little space
after each paragraph (so lines wrap and paragraphs cross pages), a running header on every page,
the page number at the bottom, the header block ("A | B |" lines of the text) as two columns,
superscript footnote markers ("Phước¹") with their bodies ("¹ …" lines of the text) printed in
8.5 pt at the bottom of the page that cites them, tables ("| a | b |" lines) as ruled tables,
and a one-cell row ("| TM. ỦY BAN NHÂN DÂN |") as a right-hand signature line.
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import regex as re

SUPERSCRIPT = "⁰¹²³⁴⁵⁶⁷⁸⁹"
_FROM_SUP = str.maketrans(SUPERSCRIPT, "0123456789")
_NOTE_LINE = re.compile(rf"[ \t]*([{SUPERSCRIPT}]{{1,3}})[ \t]*(.*)$")
_MARKER = re.compile(rf"[{SUPERSCRIPT}]{{1,3}}")


def dejavu() -> Optional[Path]:
    """Path of DejaVuSans.ttf: Debian fonts-dejavu-core first, then matplotlib's copy."""
    candidates = [Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")]
    try:
        import matplotlib

        candidates.append(Path(matplotlib.__file__).parent / "mpl-data" / "fonts" / "ttf" / "DejaVuSans.ttf")
    except ImportError:
        pass
    return next((p for p in candidates if p.exists()), None)


def split_notes(text: str) -> tuple[list[str], dict[str, str]]:
    """Body lines, and footnote bodies by number, from a plan's text."""
    body, notes = [], {}
    for line in text.split("\n"):
        m = _NOTE_LINE.match(line)
        if m and m.group(2):
            notes[m.group(1).translate(_FROM_SUP)] = m.group(2).strip()
        else:
            body.append(line)
    return body, notes


def write_pdf(text: str, out: Path, *, running: str = "Kế hoạch - bản sao để thử nghiệm", font: Optional[Path] = None) -> Path:
    from fpdf import FPDF

    font = font or dejavu()
    body_lines, notes = split_notes(text)

    class PlanPDF(FPDF):
        base_bottom = 18.0

        def __init__(self):
            super().__init__(format="A4", unit="mm")
            self.add_font("dv", "", str(font))
            self.set_margins(22, 20, 16)
            self.pending: list[tuple[str, str]] = []
            self.reserved = 0.0
            self.set_auto_page_break(True, margin=self.base_bottom)

        def header(self):
            self.set_font("dv", size=8)
            self.set_xy(self.l_margin, 9)
            self.cell(0, 4, running, align="C")
            self.set_font("dv", size=11)
            self.set_xy(self.l_margin, self.t_margin)

        def footer(self):
            if self.pending:
                self.set_font("dv", size=8.5)
                y = self.h - self.base_bottom - self.reserved
                self.line(self.l_margin, y, self.l_margin + 45, y)
                self.set_xy(self.l_margin, y + 1.5)
                for num, note in self.pending:
                    # the marker: 6 pt, raised by 1 mm (char_vpos is unreliable inside footer())
                    y0 = self.get_y()
                    self.set_font("dv", size=6)
                    self.set_xy(self.l_margin, y0 - 1)
                    self.cell(self.get_string_width(num) + 0.2, 4, num)
                    self.set_font("dv", size=8.5)
                    self.set_xy(self.get_x(), y0)
                    self.write(4, " " + note)
                    self.ln(4)
                self.pending = []
                self.reserved = 0.0
                self.set_auto_page_break(True, margin=self.base_bottom)
            self.set_font("dv", size=9)
            self.set_xy(self.l_margin, self.h - 12)
            self.cell(0, 4, str(self.page_no()), align="C")
            self.set_font("dv", size=11)

        def note_height(self, num: str, note: str) -> float:
            # measured, not dry-run: a dry run near the page end would run footer() itself
            self.set_font("dv", size=8.5)
            width = self.get_string_width(num + " " + note)
            self.set_font("dv", size=11)
            return 4 * (int(width / (self.epw * 0.95)) + 1)

        def paragraph(self, line: str):
            markers = [m.group().translate(_FROM_SUP) for m in _MARKER.finditer(line)]
            new = [(num, notes.pop(num)) for num in markers if num in notes]
            if new:
                need = sum(self.note_height(*n) for n in new) + (3 if not self.pending else 0)
                if self.get_y() + 8 > self.h - self.base_bottom - self.reserved - need:
                    self.add_page()  # the cited notes must fit under the paragraph's first line
                self.pending += new
                self.reserved += need
                self.set_auto_page_break(True, margin=self.base_bottom + self.reserved)
            self.set_font("dv", size=11)
            self.set_x(self.l_margin + 8)
            pos = 0
            for m in _MARKER.finditer(line):
                self.write(5.6, line[pos : m.start()])
                self.char_vpos = "SUP"
                self.write(5.6, m.group().translate(_FROM_SUP))
                self.char_vpos = "LINE"
                pos = m.end()
            self.write(5.6, line[pos:])
            self.ln(5.6 + 2.2)

        def header_row(self, cells: list[str]):
            half = self.epw / 2
            self.set_font("dv", size=10.5)
            self.set_x(self.l_margin)
            self.cell(half - 4, 5.4, cells[0], align="C")
            self.set_x(self.l_margin + half + 4)
            self.cell(half - 4, 5.4, cells[1] if len(cells) > 1 else "", align="C")
            self.ln(5.4 + 1.5)
            self.set_font("dv", size=11)

        def right_line(self, line: str):
            half = self.epw / 2
            self.set_x(self.l_margin + half)
            self.cell(half, 5.6, line, align="C")
            self.ln(5.6 + 2.2)

        def table_rows(self, rows: list[list[str]]):
            rows = [r for r in rows if not all(set(c) <= set("-: ") for c in r)]  # Markdown rule rows
            if not rows:
                return
            if max(len(c) for r in rows for c in r) > 400:
                for r in rows:  # a row too tall for one page: plain lines, as a text export has them
                    self.paragraph("| " + " | ".join(r) + " |")
                return
            width = max(len(r) for r in rows)
            rows = [r + [""] * (width - len(r)) for r in rows]
            self.set_font("dv", size=10)
            with self.table(first_row_as_headings=False, line_height=5) as t:
                for r in rows:
                    row = t.row()
                    for c in r:
                        row.cell(c)
            self.ln(2)
            self.set_font("dv", size=11)

    pdf = PlanPDF()
    pdf.add_page()
    rows: list[list[str]] = []
    for line in body_lines + [""]:
        s = line.strip()
        if s.startswith("|") and s.endswith("|") and len(s) > 1:
            cells = [c.strip() for c in s.strip("|").split("|")]
            if len(cells) > 1:
                rows.append(cells)
                continue
            pdf.right_line(cells[0])
            continue
        if rows:
            pdf.table_rows(rows)
            rows = []
        if not s:
            continue
        if " | " in s and s.endswith("|"):
            pdf.header_row([c.strip() for c in s.strip("|").split("|")])
            continue
        pdf.paragraph(line.strip())
    # footnotes whose marker is not in the text go on the last page
    for num, note in list(notes.items()):
        pdf.pending.append((num, note))
        pdf.reserved += pdf.note_height(num, note)
    pdf.output(str(out))
    return out
