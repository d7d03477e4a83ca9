"""The evidence pack PDF: what a regulator reads in it (text through pypdf) and that its pages
really draw something (rendered with pypdfium2)."""

import io

import pypdfium2
from PIL import ImageStat
from pypdf import PdfReader

from onboarding import services
from onboarding.actors import Actor
from onboarding.evidence_pdf import render_evidence_pdf
from onboarding.models import Session
from onboarding.services.evidence import evidence_pack_export
from tests.dashboard.builders import session_in_manual_review
from tests.dashboard.conftest import WATCHLIST_RESULTS
from tests.factories import MembershipFactory, system


def test_the_pdf_reads_as_a_decision_record_with_documents_and_chain(org, run_on_commit):
    reviewer = MembershipFactory(organization=org, role="reviewer").user
    actor = Actor.for_user(reviewer, org)
    session = session_in_manual_review(org)
    Session.objects.filter(id=session.id).update(processing_results={**session.processing_results, **WATCHLIST_RESULTS})
    services.session_decide(
        actor=actor, session_id=session.id, status="rejected", note="Account not hers", reasons=["data_mismatch"]
    )
    pack = evidence_pack_export(actor=actor, session_id=session.id)
    content = render_evidence_pdf(pack)

    reader = PdfReader(io.BytesIO(content))
    pages = [page.extract_text() for page in reader.pages]
    cover, text = pages[0], "\n".join(pages)
    assert "Rejected" in cover and f"Reviewer: {reviewer.username}" in cover
    assert "Data does not match" in cover and "Account not hers" in cover
    assert "IBAN does not match (iban_mismatch)" in text  # checks in words, code beside
    assert "Extracted" in text and "Known" in text
    assert "sanctions 20261101" in text and "Anna Maria Eriksson" in text  # screening with list versions
    assert pack["events"][-1]["hash"] in text.replace("\n", "")
    assert pack["audit_chain"]["head_hash"] in text.replace("\n", "")
    assert "True" not in text and "None" not in text and "{'" not in text
    fonts = {
        str(font.get_object()["/BaseFont"]) for page in reader.pages for font in page["/Resources"]["/Font"].values()
    }
    assert fonts and all("DejaVu" in name for name in fonts - {"/Helvetica"}), fonts

    pdf = pypdfium2.PdfDocument(content)
    try:
        for index in range(len(pdf)):
            image = pdf[index].render(scale=0.5).to_pil().convert("L")
            assert ImageStat.Stat(image).stddev[0] > 5, f"page {index + 1} is blank"
        document_page = next(i for i, t in enumerate(pages) if "Documents" in t)
        images = [o for o in pdf[document_page].get_objects() if o.type == pypdfium2.raw.FPDF_PAGEOBJ_IMAGE]
        assert images, "the bank letter is drawn on the documents page"
    finally:
        pdf.close()


def test_an_undecided_session_shows_a_recommendation_on_the_cover(org, run_on_commit):
    session = session_in_manual_review(org)
    cover = (
        PdfReader(io.BytesIO(render_evidence_pdf(evidence_pack_export(actor=system(org), session_id=session.id))))
        .pages[0]
        .extract_text()
    )
    assert "No decision yet" in cover and "Recommendation" in cover
