"""The spaCy component ``"planparse"`` on the corpus (extra ``planparse[spacy]``: spacy, pyvi).

Skipped when spaCy is not installed, unless ``PLANPARSE_REQUIRE_EXTRAS`` names ``spacy`` (CI).
"""

import importlib
import os
import subprocess
import sys
import unicodedata

import pytest

from conftest import CORPUS, ROOT, SEEDS


def _require(module, extra):
    if extra in os.environ.get("PLANPARSE_REQUIRE_EXTRAS", "").replace(",", " ").split():
        return importlib.import_module(module)
    return pytest.importorskip(module)


spacy = _require("spacy", "spacy")

from spacy.tokens import DocBin  # noqa: E402

import planparse  # noqa: E402
import planparse.spacy_component  # noqa: E402,F401  (registers the factory)


def _squash(s):
    return " ".join(unicodedata.normalize("NFC", s).split())


def _text(name):
    return (CORPUS / SEEDS.get(name, name)).read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def nlp_vi():
    _require("pyvi", "spacy")
    nlp = spacy.blank("vi")
    nlp.add_pipe("planparse")
    return nlp


@pytest.fixture(scope="module")
def dong_nai(nlp_vi):
    return nlp_vi(_text("dong_nai"))


def test_blank_vietnamese_pipeline_uses_word_tokens(nlp_vi):
    doc = nlp_vi("Trẻ em có hoàn cảnh đặc biệt được quản lý.")
    assert "Trẻ em" in [t.text for t in doc]  # pyvi's word segmentation, offline


def test_span_groups_carry_planparse_items(dong_nai):
    plan = planparse.parse_text(dong_nai.text)
    assert [s._.planparse_id for s in dong_nai.spans["targets"]] == [t.id for t in plan.targets]
    assert len(dong_nai.spans["legal_references"]) == len(plan.legal_references)
    assert len(dong_nai.spans["agencies"]) == sum(len(a.mentions) for a in plan.agencies)
    assert {s.label_ for s in dong_nai.spans["targets"]} == {"TARGET"}
    by_id = {t.id: t for t in plan.targets}
    for span in dong_nai.spans["targets"]:
        t = by_id[span._.planparse_id]
        assert (span._.value, span._.value_max, span._.unit, span._.comparator) == (t.value, t.value_max, t.unit, t.comparator)
        assert span._.deadline == (t.deadline.year if t.deadline else None)
        assert _squash(t.raw) in _squash(span.text)


def test_known_items_of_dong_nai(dong_nai):
    refs = {s._.full_number: s for s in dong_nai.spans["legal_references"]}
    assert "565/QĐ-TTg" in refs and refs["565/QĐ-TTg"].text.startswith("Quyết định số 565/QĐ-TTg")
    assert refs["565/QĐ-TTg"]._.doc_type == "Quyết định"
    # "100% trẻ em có hoàn cảnh đặc biệt …" by 2020
    children = [s for s in dong_nai.spans["targets"] if (s._.subject or "").startswith("trẻ em có hoàn cảnh đặc biệt")]
    assert children and all(s._.value == 100 and s._.unit == "%" and s._.deadline == 2020 for s in children)
    roles = {(s._.agency, s._.role) for s in dong_nai.spans["agencies"]}
    assert any(role == "lead" and name.startswith("Sở Lao động - Thương binh và Xã hội") for name, role in roles)
    assert dong_nai._.planparse.metadata.issuer == "Ủy ban nhân dân tỉnh Đồng Nai"


def test_ents_do_not_overlap_and_share_extensions(dong_nai):
    ents = list(dong_nai.ents)
    assert {e.label_ for e in ents} == {"TARGET", "LEGAL_REF", "AGENCY"}
    for a, b in zip(ents, ents[1:]):
        assert a.end <= b.start
    # an entity is the same span as its group member: its extension values are there too
    target_ents = [e for e in ents if e.label_ == "TARGET"]
    assert target_ents and all(e._.value is not None for e in target_ents)
    # every group span is either an entity or overlaps one
    covered = {i for e in ents for i in range(e.start, e.end)}
    for key in ("targets", "legal_references", "agencies"):
        for s in dong_nai.spans[key]:
            assert covered.intersection(range(s.start, s.end))


def test_offsets_map_back_through_normalisation(nlp_vi):
    """Kon Tum city: NFD combining marks and U+FFFD garbage; spans still land on the source text."""
    text = _text("kon_tum")
    assert any(unicodedata.combining(c) for c in text) and "\ufffd" in text
    doc = nlp_vi(text)
    plan = doc._.planparse
    assert len(doc.spans["targets"]) == len(plan.targets) > 20
    by_id = {t.id: t for t in plan.targets}
    for span in doc.spans["targets"]:
        assert _squash(by_id[span._.planparse_id].raw) in _squash(span.text)
    refs = {r.id: r for r in plan.legal_references}
    for span in doc.spans["legal_references"]:
        assert _squash(span.text).startswith(_squash(refs[span._.planparse_id].raw)[:20])
    leads = {s._.agency for s in doc.spans["agencies"] if s._.role == "lead"}
    assert "Phòng Lao động - Thương binh và Xã hội" in leads


def test_multilingual_blank_pipeline_works_without_pyvi():
    nlp = spacy.blank("xx")
    nlp.add_pipe("planparse", config={"set_ents": False})
    doc = nlp(_text("binh_dinh"))
    plan = planparse.parse_text(doc.text)
    assert len(doc.spans["targets"]) == len(plan.targets) > 30
    assert len(doc.ents) == 0
    assert any(s._.value == 90 and s._.comparator == ">=" for s in doc.spans["targets"])


def test_existing_entities_are_kept():
    nlp = spacy.blank("xx")
    ruler = nlp.add_pipe("entity_ruler")
    ruler.add_patterns([{"label": "GPE", "pattern": "Đồng Nai"}])
    nlp.add_pipe("planparse")
    doc = nlp(_text("dong_nai"))
    gpe = [e for e in doc.ents if e.label_ == "GPE"]
    assert gpe and all(e.text == "Đồng Nai" for e in gpe)
    assert any(e.label_ == "TARGET" for e in doc.ents)


def test_docbin_round_trip_without_the_document():
    nlp = spacy.blank("xx")
    nlp.add_pipe("planparse", config={"keep_document": False})
    docs = list(nlp.pipe([_text("binh_phuoc"), _text("can-tho_2025_cong-tac-dan-so.md")]))
    assert docs[0]._.planparse is None
    data = DocBin(docs=docs, store_user_data=True).to_bytes()
    back = list(DocBin().from_bytes(data).get_docs(nlp.vocab))
    assert [len(d.spans["agencies"]) for d in back] == [len(d.spans["agencies"]) for d in docs]
    assert [s._.role for s in back[1].spans["agencies"]] == [s._.role for s in docs[1].spans["agencies"]]
    assert back[1].spans["legal_references"][0]._.full_number == docs[1].spans["legal_references"][0]._.full_number


def test_entry_point_registers_the_factory_without_import():
    from importlib.metadata import entry_points

    if not any(ep.name == "planparse" for ep in entry_points(group="spacy_factories")):
        pytest.skip("planparse is not installed with its spacy_factories entry point")
    code = "import spacy; nlp = spacy.blank('xx'); nlp.add_pipe('planparse'); d = nlp('Phấn đấu đến năm 2025 đạt 90% trẻ em.'); print(len(d.spans['targets']))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "1"
