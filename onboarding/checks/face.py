"""Face match: the portrait printed on the identity document against the selfie.

Faces are found with dlib's HOG detector, aligned on five landmarks and turned
into 128-d descriptors by dlib's ResNet model, all shipped inside the
face-recognition-models wheel (nothing is downloaded). Two descriptors of the
same person lie about 0.05-0.25 apart (Euclidean), two people about 0.6-0.9 (on
the test photos: 0.07-0.16 and 0.65-0.91): a distance at or under the threshold
(0.5 by default, ``face_match_threshold`` in the config) is a match.

The models are loaded once per process, on first use, and only the three this
check needs (about 35 MB on disk): importing ``face_recognition.api`` would also
load the 68-landmark and CNN models.
"""

import functools
import math
import time
from dataclasses import dataclass

import dlib
import face_recognition_models
import numpy as np
from PIL import Image

from onboarding.checks import FAILED, INCONCLUSIVE, PASSED, CheckResult
from onboarding.checks.images import UnreadableDocument, load_pages, open_image

DEFAULT_THRESHOLD = 0.5
# Width of the logistic that turns a distance into a confidence (see ``confidence``).
CONFIDENCE_SCALE = 0.06
# Larger photos are scaled down first: a face on a phone photo or a document scan keeps
# well over the detector's 80 px window, and detection time stays bounded.
MAX_SIDE = 1280
# The detector only sees faces of 80 px and more; a face down to 40 px (a portrait on a photo
# of a whole document) is found by upsampling the image once, within this budget. A smaller
# face holds too little detail to compare.
UPSAMPLE_PIXEL_BUDGET = 5_000_000
# A face less than this share of the largest one's area is someone in the background (or a
# document's small ghost portrait): among the large ones the detector's most certain wins.
BACKGROUND_FACE_AREA = 0.5
# Besides the chosen face, a detection counts as another face only when the detector is
# fairly sure of it: a badge or a patterned shirt can score just above zero.
OTHER_FACE_MIN_SCORE = 0.3
# The detector misses heads tilted by more than about 10 degrees, and a photo that lost its EXIF
# orientation lies on its side: when upright shows no face, the image is tilted, then turned
# (without upsampling: a selfie or a card photographed that way shows its face large enough).
TILTS = (15, -15)
_TURNS = (Image.Transpose.ROTATE_90, Image.Transpose.ROTATE_270, Image.Transpose.ROTATE_180)
_SIDE_ORDER = {"front": 0, "": 1, "back": 2}


@functools.cache
def _models():
    return (
        dlib.get_frontal_face_detector(),
        dlib.shape_predictor(face_recognition_models.pose_predictor_five_point_model_location()),
        dlib.face_recognition_model_v1(face_recognition_models.face_recognition_model_location()),
    )


@dataclass(frozen=True)
class FaceScan:
    """What one image holds: how many faces, and the descriptor of the one that counts."""

    faces_found: int
    encoding: np.ndarray | None = None


def _scaled(image):
    longest = max(image.size)
    if longest <= MAX_SIDE:
        return image
    factor = MAX_SIDE / longest
    return image.resize((round(image.width * factor), round(image.height * factor)), Image.LANCZOS)


def _detect(pixels, upsample):
    """Face rectangles and scores; upsampled only when nothing is found at full size."""
    detector = _models()[0]
    height, width = pixels.shape[:2]
    rectangles, scores, _ = detector.run(pixels, 0, 0.0)
    if not len(rectangles) and upsample and width * height * 4 <= UPSAMPLE_PIXEL_BUDGET:
        rectangles, scores, _ = detector.run(pixels, 1, 0.0)
    return list(zip(rectangles, scores))


def _chosen(detections):
    largest = max(rect.area() for rect, _ in detections)
    candidates = [detection for detection in detections if detection[0].area() >= BACKGROUND_FACE_AREA * largest]
    return max(candidates, key=lambda detection: detection[1])


def _orientations(image):
    """(image, whether to upsample it): upright first, then turned."""
    yield image, True
    for angle in TILTS:
        yield image.rotate(angle, resample=Image.BICUBIC, expand=True), False
    for turn in _TURNS:
        yield image.transpose(turn), False


def scan_faces(image):
    """Detect the faces of a PIL image and describe the one that counts (see ``_chosen``)."""
    scaled = _scaled(image).convert("RGB")
    for candidate, upsample in _orientations(scaled):
        pixels = np.asarray(candidate)
        detections = _detect(pixels, upsample)
        if detections:
            break
    else:
        return FaceScan(0)
    chosen = _chosen(detections)
    others = sum(1 for detection in detections if detection is not chosen and detection[1] >= OTHER_FACE_MIN_SCORE)
    _, landmarks, encoder = _models()
    encoding = encoder.compute_face_descriptor(pixels, landmarks(pixels, chosen[0]))
    return FaceScan(1 + others, np.array(encoding))


def confidence(distance, threshold):
    """How sure we are that both faces are one person, 0..1.

    A logistic centred on the threshold: 0.5 at the threshold, about 0.99 at the typical
    same-person distance (0.2) and about 0.16 at the typical different-person distance
    (0.6) for the default threshold of 0.5.
    """
    return round(1 / (1 + math.exp((distance - threshold) / CONFIDENCE_SCALE)), 3)


def compare(portrait, selfie, threshold=DEFAULT_THRESHOLD):
    """The match between two scans, as a dict with status, distance, confidence, threshold,
    faces_found and reason_codes."""
    result = {
        "status": INCONCLUSIVE,
        "distance": None,
        "confidence": None,
        "threshold": threshold,
        "faces_found": {"document": portrait.faces_found, "selfie": selfie.faces_found},
        "reason_codes": [],
    }
    if not selfie.faces_found:
        result["reason_codes"].append("face_not_found_selfie")
    elif selfie.faces_found > 1:
        result["reason_codes"].append("multiple_faces_selfie")
    if not portrait.faces_found:
        result["reason_codes"].append("face_not_found_document")
    if not (portrait.faces_found and selfie.faces_found):
        return result
    distance = round(float(np.linalg.norm(portrait.encoding - selfie.encoding)), 4)
    matched = distance <= threshold
    result.update(status=PASSED if matched else FAILED, distance=distance, confidence=confidence(distance, threshold))
    if not matched:
        result["reason_codes"].append("face_mismatch")
    return result


def scan_document(pages):
    """The portrait of an identity document: the first of its page images with a face."""
    scan = FaceScan(0)
    for page in pages:
        scan = scan_faces(page)
        if scan.faces_found:
            break
    return scan


def face_distance(id_image_bytes, selfie_bytes, threshold=DEFAULT_THRESHOLD):
    """Compare the portrait on an identity document (image or PDF) with a selfie."""
    portrait = scan_document(load_pages(id_image_bytes, ""))
    return compare(portrait, scan_faces(open_image(selfie_bytes)), threshold)


def _threshold(config):
    value = config.get("face_match_threshold")
    return DEFAULT_THRESHOLD if value is None else float(value)


def _split_inputs(documents, config):
    """(selfie uploads, identity document files). The identity document comes in
    ``config["identity_documents"]``, or among ``documents`` when those mark the selfie
    files with kind ``selfie``."""
    portraits = list(config.get("identity_documents") or [])
    if any(document.kind == "selfie" for document in documents):
        portraits += [document for document in documents if document.kind != "selfie"]
        documents = [document for document in documents if document.kind == "selfie"]
    portraits.sort(key=lambda document: _SIDE_ORDER.get(document.side, 1))
    return documents, portraits


def _portrait_scan(portraits):
    """(scan, id of the document it came from) of the first identity document with a face."""
    scan, document_id = FaceScan(0), ""
    for document in portraits:
        try:
            pages = load_pages(document.content, document.mime_type)
        except UnreadableDocument:
            continue  # the identity check reports its own unreadable document
        scan, document_id = scan_document(pages), document.document_id
        if scan.faces_found:
            break
    return scan, document_id


def _ms(started):
    return round((time.perf_counter() - started) * 1000, 1)


def _presence_only(selfie, details):
    """No identity document to compare with: the selfie must show exactly one face."""
    details["faces_found"] = {"selfie": selfie.faces_found}
    details["note"] = "no identity document portrait to compare with: only the selfie's face was checked"
    if selfie.faces_found == 1:
        return CheckResult(PASSED, details=details)
    code = "multiple_faces_selfie" if selfie.faces_found else "face_not_found_selfie"
    return CheckResult(INCONCLUSIVE, reason_codes=[code], details=details, unusable=True)


def run(documents, known, config):
    started = time.perf_counter()
    selfies, portraits = _split_inputs(documents, config)
    if not selfies:
        return CheckResult(INCONCLUSIVE, reason_codes=["face_not_found_selfie"], details={"document_required": True})
    selfie_document = selfies[0]
    # The first check in a process also loads the models (a few seconds), counted apart.
    models_started = time.perf_counter()
    _models()
    timings = {"models": _ms(models_started)}
    details = {"selfie_document_id": selfie_document.document_id, "timings_ms": timings}
    selfie_started = time.perf_counter()
    try:
        selfie = scan_faces(open_image(selfie_document.content))
    except UnreadableDocument as exc:
        details["error"] = str(exc)
        timings["total"] = _ms(started)
        return CheckResult(INCONCLUSIVE, reason_codes=["document_unreadable"], details=details, unusable=True)
    timings["selfie"] = _ms(selfie_started)
    if not portraits:
        timings["total"] = _ms(started)
        return _presence_only(selfie, details)
    portrait_started = time.perf_counter()
    portrait, details["portrait_document_id"] = _portrait_scan(portraits)
    timings.update(portrait=_ms(portrait_started), total=_ms(started))
    match = compare(portrait, selfie, _threshold(config))
    status, codes = match.pop("status"), match.pop("reason_codes")
    details.update(match)
    # A selfie without a face is the applicant's to retake; a document without one is not.
    return CheckResult(status, reason_codes=codes, details=details, unusable=not selfie.faces_found)
