"""The session page shows the evidence; documents come through short-lived signed URLs."""

import io
import re
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image

from dashboard.documents import render_pdf_page, sign
from onboarding import services, watchlist
from onboarding.actors import Actor
from tests.dashboard.builders import send_to_review, session_in_manual_review, submit_all
from tests.factories import MembershipFactory, make_session, make_workflow, system


@pytest.fixture
def bank_session(org, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        session = session_in_manual_review(org)
    session.refresh_from_db()
    return session


def page_of(client, session):
    response = client.get(reverse("dashboard:session", args=[session.id]))
    assert response.status_code == 200
    return response.content.decode()


def test_shows_known_data_steps_reason_codes_and_marks_the_mismatch(reviewer_client, bank_session):
    html = page_of(reviewer_client, bank_session)
    assert "Anna Maria" in html and "1974-08-12" in html
    assert 'IBAN does not match <code class="code">iban_mismatch</code>' in html  # words first, code beside
    mismatch = re.search(
        r'<tr class="mismatch" data-field="(\w+)">\s*<th>IBAN <code[^>]*>iban</code></th>'
        r"<td>([^<]+)</td><td>([^<]+)</td>",
        html,
    )
    assert mismatch.group(1) == "iban"
    assert mismatch.group(2) != mismatch.group(3)  # extracted beside known
    assert "IBAN: valid" in html
    assert "attempts 0" in html


def test_shows_watchlist_hits_face_match_risk_and_decision(reviewer_client, review_session):
    html = page_of(reviewer_client, review_session)
    assert "Anna Maria Eriksson" in html and "Q-1234" in html and "0.91" in html and "eu_fsf" in html
    assert "1 open hit" in html and "sanctions 20261101 (2 entries)" in html
    assert "distance 0.210" in html
    assert "manual_review" in html  # the final decision
    assert "watchlist hit" in html  # the note that sent it to review


def test_audit_timeline_lists_events_with_actors(reviewer_client, reviewer, org, review_session):
    services.session_add_note(
        actor=services_actor(reviewer, org), session_id=review_session.id, note="Called the customer"
    )
    html = page_of(reviewer_client, review_session)
    assert "session.note" in html and "Called the customer" in html and reviewer.username in html
    assert "session.send_to_manual_review" in html and "System" in html


def services_actor(user, org):
    return Actor.for_user(user, org)


def test_pdf_document_is_previewed_as_png_pages_and_downloadable(reviewer_client, bank_session):
    html = page_of(reviewer_client, bank_session)
    page_url = re.search(r'<img src="(/dashboard/files/[^"]+/page-1\.png)"', html).group(1)
    response = reviewer_client.get(page_url)
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert Image.open(io.BytesIO(response.content)).width > 500
    assert response["Cache-Control"] == "private, no-store"
    download = re.search(r'<a href="(/dashboard/files/[^"/]+/)">download</a>', html).group(1)
    response = reviewer_client.get(download)
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert response["Content-Disposition"].startswith("attachment")


def test_image_document_is_served_with_its_type(reviewer_client, org, review_workflow):
    session = make_session(org, review_workflow)
    verification = session.verifications.get(step_id="bank")
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), "white").save(buffer, "PNG")
    document = services.document_add(
        actor=system(org), verification_id=verification.id, content=buffer.getvalue(), filename="rib.png", kind="rib"
    )
    html = page_of(reviewer_client, session)
    url = reverse("dashboard:document_file", args=[sign(document)])
    assert re.search(r'<img src="/dashboard/files/[^"]+/"', html)
    response = reviewer_client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/png"


def test_document_link_expires_after_five_minutes(reviewer_client, bank_session, monkeypatch):
    document = bank_session.documents.first()
    token = sign(document)
    assert reviewer_client.get(reverse("dashboard:document_file", args=[token])).status_code == 200
    # Five minutes later: the token's age now exceeds the allowed one.
    monkeypatch.setattr("onboarding.document_links.TTL", timedelta(seconds=-1))
    assert reviewer_client.get(reverse("dashboard:document_file", args=[token])).status_code == 404


def test_tampered_document_link_is_refused(reviewer_client, bank_session):
    token = sign(bank_session.documents.first())
    assert reviewer_client.get(reverse("dashboard:document_file", args=[token[:-2] + "xx"])).status_code == 404


def test_document_link_of_another_organization_is_refused(client, bank_session, other_org):
    outsider = MembershipFactory(organization=other_org).user
    client.force_login(outsider)
    token = sign(bank_session.documents.first())
    assert client.get(reverse("dashboard:document_file", args=[token])).status_code == 404


def test_document_link_needs_a_login(client, bank_session):
    token = sign(bank_session.documents.first())
    assert client.get(reverse("dashboard:document_file", args=[token])).status_code == 302


def test_a_page_past_the_last_is_not_found(reviewer_client, bank_session):
    token = sign(bank_session.documents.first())
    assert reviewer_client.get(reverse("dashboard:document_page", args=[token, 9])).status_code == 404


def test_session_page_query_count_does_not_grow_with_events(
    reviewer_client, reviewer, org, review_session, django_assert_max_num_queries
):
    with CaptureQueriesContext(connection) as first:
        page_of(reviewer_client, review_session)
    for index in range(10):
        services.session_add_note(
            actor=services_actor(reviewer, org), session_id=review_session.id, note=f"note {index}"
        )
    with django_assert_max_num_queries(len(first.captured_queries)):
        page_of(reviewer_client, review_session)


def test_another_workflow_session_page_renders_every_step_type(reviewer_client, org):
    workflow = make_workflow(
        org,
        steps=[
            {"id": "id", "type": "identity_document"},
            {"id": "selfie", "type": "selfie"},
            {"id": "poa", "type": "proof_of_address"},
            {"id": "sign", "type": "signature"},
        ],
    )
    html = page_of(reviewer_client, make_session(org, workflow))
    assert "Awaiting data" in html and "Resolve by hand" in html


def test_links_to_the_next_session_waiting_for_review(
    reviewer_client, org, review_session, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        colleagues = session_in_manual_review(org, name="A colleague's")
    send_to_review(colleagues)
    services.session_update(
        actor=system(org),
        session_id=colleagues.id,
        assigned_to=MembershipFactory(organization=org).user.pk,
        priority=90,
    )
    # Only the colleague's session is left besides this one: nothing next.
    assert 'id="next-session"' not in page_of(reviewer_client, review_session)
    html = page_of(reviewer_client, colleagues)
    assert f'href="/dashboard/sessions/{review_session.id}/" class="muted" id="next-session"' in html


def test_applicant_supplied_text_is_escaped(reviewer_client, org, review_workflow):
    session = make_session(
        org,
        review_workflow,
        name="<script>alert(1)</script>",
        input={"identity": {"first_name": "<img src=x onerror=alert(1)>", "last_name": "X"}},
    )
    html = page_of(reviewer_client, session)
    assert "<script>alert(1)</script>" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_real_screening_hit_is_shown_and_can_be_dismissed(
    reviewer_client, org, review_workflow, tmp_path, django_capture_on_commit_callbacks
):
    sanctions = tmp_path / "targets.simple.csv"
    sanctions.write_text(
        "id,schema,name,aliases,birth_date,countries,dataset\nQ-77,Person,Anna Maria Eriksson,,1974-08-12,se,eu_fsf\n"
    )
    records = watchlist.read_records(sanctions, default_list="sanctions")
    watchlist.load_records(org, records, "sanctions", "20261101")
    session = make_session(org, review_workflow, name="Screened")
    services.links_generate(actor=system(org), session_id=session.id)
    with django_capture_on_commit_callbacks(execute=True):
        submit_all(session)
    session.refresh_from_db()
    hit = session.processing_results["external_validations"]["watchlist"]["matches"][0]
    html = page_of(reviewer_client, session)
    assert "1 open hit" in html and hit["entity_id"] in html
    reviewer_client.post(
        reverse("dashboard:false_positive", args=[session.id]),
        {"match_index": 0, "entity_id": hit["entity_id"], "note": "Other person"},
    )
    assert "every hit dismissed" in page_of(reviewer_client, session)


def test_cross_validation_comparisons_are_listed_with_mismatches_marked(reviewer_client, bank_session):
    comparisons = bank_session.processing_results["cross_validation"]["comparisons"]
    html = page_of(reviewer_client, bank_session)
    iban = next(c for c in comparisons if c["field"] == "iban")
    assert iban["outcome"] == "mismatch"
    row = r'<tr class="mismatch">\s*<th>IBAN <code class="code secondary">iban</code></th><td class="muted">[^<]+</td><td>'
    assert re.search(row + iban["values"][0], html)


def test_pdf_pages_render_safely_from_several_threads(bank_session):
    content = bank_session.documents.first().file.read()
    with ThreadPoolExecutor(max_workers=4) as pool:
        pages = list(pool.map(lambda _: render_pdf_page(content, 1), range(8)))
    assert len(set(pages)) == 1 and pages[0].startswith(b"\x89PNG")
