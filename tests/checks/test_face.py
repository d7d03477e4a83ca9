import io
import itertools

import pytest
from PIL import Image

from onboarding.checks import FAILED, INCONCLUSIVE, PASSED, DocumentInput, get_check
from onboarding.checks.face import (
    DEFAULT_THRESHOLD,
    compare,
    confidence,
    face_distance,
    run,
    scan_document,
    scan_faces,
)
from onboarding.checks.images import load_pages, open_image
from tests.documents.faces import (
    ASTRONAUT,
    LEANING,
    OTHER,
    PEOPLE,
    SelfieShot,
    faceless_photo,
    group_selfie,
    id_card_back,
    id_card_front,
    selfie,
)
from tests.documents.identity import Capture, as_pdf


def card(person=ASTRONAUT, capture=Capture(), document_id="card-front"):
    return DocumentInput(id_card_front(person, capture), "image/png", "id_card", "front", document_id)


def selfie_upload(content, document_id="selfie-1"):
    return DocumentInput(content, "image/jpeg", document_id=document_id)


def check(selfie_content, *identity_documents, **config):
    documents = [selfie_upload(selfie_content)]
    return run(documents, {}, {"identity_documents": list(identity_documents), **config})


@pytest.fixture(scope="module")
def astronaut_card():
    return card()


@pytest.fixture(scope="module")
def astronaut_selfie():
    return selfie(ASTRONAUT)


def test_selfie_is_the_registered_check():
    assert get_check("selfie") is run


def test_same_person_passes_with_distance_below_threshold(astronaut_card, astronaut_selfie):
    result = check(astronaut_selfie, astronaut_card)
    assert result.result == PASSED, result.reason_codes
    assert result.reason_codes == []
    assert result.details["distance"] < 0.3 < DEFAULT_THRESHOLD
    assert result.details["confidence"] > 0.9
    assert result.details["threshold"] == DEFAULT_THRESHOLD
    assert result.details["faces_found"] == {"document": 1, "selfie": 1}
    assert result.details["portrait_document_id"] == "card-front"
    assert result.details["selfie_document_id"] == "selfie-1"
    assert not result.unusable


def test_different_people_fail_with_face_mismatch(astronaut_card):
    result = check(selfie(OTHER), astronaut_card)
    assert result.result == FAILED
    assert result.reason_codes == ["face_mismatch"]
    assert result.details["distance"] > 0.6
    assert result.details["confidence"] < 0.2
    assert not result.unusable  # a clear photo of someone else is not a retake


def test_identity_document_among_documents_with_selfie_marked(astronaut_card, astronaut_selfie):
    """The processing pipeline passes the identity document files with the selfie's, the
    selfie's marked kind ``selfie``."""
    documents = [astronaut_card, DocumentInput(astronaut_selfie, "image/jpeg", "selfie", "", "selfie-1")]
    result = run(documents, {}, {})
    assert result.result == PASSED
    assert result.details["portrait_document_id"] == "card-front"


def test_back_side_is_skipped_for_the_portrait(astronaut_card, astronaut_selfie):
    back = DocumentInput(id_card_back(), "image/png", "id_card", "back", "card-back")
    result = check(astronaut_selfie, back, astronaut_card)
    assert result.result == PASSED
    assert result.details["portrait_document_id"] == "card-front"


def test_threshold_comes_from_config(astronaut_card, astronaut_selfie):
    result = check(astronaut_selfie, astronaut_card, face_match_threshold=0.05)
    assert result.result == FAILED
    assert result.reason_codes == ["face_mismatch"]
    assert result.details["threshold"] == 0.05


def test_selfie_without_face_is_unusable(astronaut_card):
    result = check(faceless_photo(), astronaut_card)
    assert result.result == INCONCLUSIVE
    assert result.reason_codes == ["face_not_found_selfie"]
    assert result.details["faces_found"] == {"document": 1, "selfie": 0}
    assert result.unusable


def test_document_without_portrait_is_inconclusive(astronaut_selfie):
    back = DocumentInput(id_card_back(), "image/png", "id_card", "back", "card-back")
    result = check(astronaut_selfie, back)
    assert result.result == INCONCLUSIVE
    assert result.reason_codes == ["face_not_found_document"]
    assert result.details["distance"] is None
    assert not result.unusable  # the selfie is fine: nothing for the applicant to retake here


def test_second_face_in_selfie_is_a_warning_and_the_applicant_still_matches(astronaut_card):
    result = check(group_selfie(ASTRONAUT, OTHER), astronaut_card)
    assert result.result == PASSED
    assert result.reason_codes == ["multiple_faces_selfie"]
    assert result.details["faces_found"] == {"document": 1, "selfie": 2}


def test_without_identity_document_the_selfie_needs_exactly_one_face(astronaut_selfie):
    alone = check(astronaut_selfie)
    assert alone.result == PASSED
    assert alone.details["faces_found"] == {"selfie": 1}
    assert "no identity document" in alone.details["note"]

    crowded = check(group_selfie(ASTRONAUT, OTHER))
    assert (crowded.result, crowded.reason_codes, crowded.unusable) == (INCONCLUSIVE, ["multiple_faces_selfie"], True)

    empty = check(faceless_photo())
    assert (empty.result, empty.reason_codes, empty.unusable) == (INCONCLUSIVE, ["face_not_found_selfie"], True)


def test_tilted_head_is_found_by_tilting_the_selfie():
    """This person's head leans; the selfie's own rotation leans it further than the detector sees."""
    result = check(selfie(LEANING, SelfieShot(rotation=6)), card(LEANING))
    assert result.result == PASSED
    assert result.details["faces_found"]["selfie"] == 1


def test_selfie_that_lost_its_orientation_is_turned_upright(astronaut_card, astronaut_selfie):
    sideways = io.BytesIO()
    open_image(astronaut_selfie).transpose(Image.Transpose.ROTATE_270).save(sideways, format="JPEG", quality=85)
    result = check(sideways.getvalue(), astronaut_card)
    assert result.result == PASSED
    assert result.details["distance"] < 0.3


def test_small_portrait_on_a_photographed_card_is_found(astronaut_selfie):
    """A card photographed from afar: the face in its portrait is under the detector's 80 px."""
    far = card(capture=Capture(rotation=3, scale=0.35, jpeg_quality=60))
    result = check(astronaut_selfie, far)
    assert result.result == PASSED
    assert result.details["distance"] < DEFAULT_THRESHOLD


def test_face_distance_reads_a_scanned_pdf():
    front = open_image(id_card_front(OTHER))
    outcome = face_distance(as_pdf([front]), selfie(OTHER, SelfieShot(width=400, brightness=0.8, rotation=-5)))
    assert outcome["status"] == PASSED
    assert outcome["faces_found"] == {"document": 1, "selfie": 1}
    assert set(outcome) == {"status", "distance", "confidence", "threshold", "faces_found", "reason_codes"}


def test_unreadable_selfie_costs_an_attempt(astronaut_card):
    result = check(b"\x89PNG\r\n\x1a\nbroken", astronaut_card)
    assert (result.result, result.reason_codes, result.unusable) == (INCONCLUSIVE, ["document_unreadable"], True)


def test_no_selfie_uploaded():
    result = run([], {}, {})
    assert (result.result, result.reason_codes) == (INCONCLUSIVE, ["face_not_found_selfie"])


def test_confidence_is_one_half_at_the_threshold_and_falls_with_distance():
    assert confidence(0.5, 0.5) == 0.5
    assert confidence(0.2, 0.5) > 0.99
    assert confidence(0.6, 0.5) < 0.2
    distances = [0.1 * step for step in range(11)]
    values = [confidence(distance, 0.5) for distance in distances]
    assert values == sorted(values, reverse=True)


@pytest.mark.slow
def test_calibration_separates_same_and_different_people():
    """Every person's card against every person's selfie: same-person distances stay far below
    the threshold and different-person distances far above it."""
    portraits = [scan_document(load_pages(id_card_front(person), "")) for person in PEOPLE]
    selfies = [scan_faces(open_image(selfie(person))) for person in PEOPLE]
    same = [compare(portraits[i], selfies[i])["distance"] for i in range(len(PEOPLE))]
    different = [
        compare(portraits[i], selfies[j])["distance"] for i, j in itertools.permutations(range(len(PEOPLE)), 2)
    ]
    print(f"same person: {min(same):.3f}..{max(same):.3f}  different: {min(different):.3f}..{max(different):.3f}")
    assert max(same) < 0.3
    assert min(different) > 0.6
