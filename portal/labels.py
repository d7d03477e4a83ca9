"""Words the applicant reads for the domain's codes: document kinds,
reasons a check gave, roles (step types: onboarding.steps). Every one goes through translation."""

from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from onboarding.steps import STEP_TYPES
from onboarding.texts import text_in

DOCUMENT_KINDS = {
    "id_card": _("Identity card"),
    "passport": _("Passport"),
    "resident_permit": _("Residence permit"),
    "utility_bill": _("Utility bill (electricity, gas, water)"),
    "tax_notice": _("Tax notice"),
    "bank_statement": _("Bank statement"),
    "rent_receipt": _("Rent receipt"),
    "phone_bill": _("Phone or internet bill"),
    "other": _("Other document showing your address"),
    "company_certificate": _("Company registration certificate"),
    "business_registration_certificate": _("Business registration certificate"),
    "rne_certificate": _("RNE certificate"),
    "vehicle_registration_document": _("Vehicle registration document"),
    "temporary_vehicle_registration_document": _("Temporary vehicle registration document"),
    "driver_licence": _("Driving licence"),
    "social_security": _("Social security card or certificate"),
    "bank_details": _("Bank details document"),
    "selfie": _("Selfie"),
}

ROLES = {
    "ubo": _("Beneficial owner"),
    "director": _("Director"),
    "legal_representative": _("Legal representative"),
}

# Why an attempt did not count, in words the applicant can act on.
REASONS = {
    "document_unreadable": _("The document could not be read. Take a sharp, well-lit photo of the whole page."),
    "mrz_not_found": _("The machine-readable lines at the bottom of the document could not be read."),
    "mrz_unreadable": _("The machine-readable lines at the bottom of the document could not be read."),
    "mrz_checksum_invalid": _("The machine-readable lines could not be read reliably."),
    "document_expired": _("The document has expired."),
    "iban_not_found": _("No IBAN could be found on the document."),
    "iban_invalid": _("The IBAN is not valid."),
    "certificate_unreadable": _("The certificate could not be read."),
    "face_not_found": _("No face could be found on the photo. Look straight at the camera in good light."),
    "multiple_faces": _("More than one face is on the photo."),
    "document_type_unknown": _("The document could not be recognised."),
    "document_type_mismatch": _("This is not the kind of document asked for."),
    "document_too_old": _("The document is too old."),
}
UNKNOWN_REASON = _("The document could not be used.")

# Shown beside the consent box and kept, in the applicant's language, as signing evidence.
CONSENT_TEXT = _("I have read the document and I agree to sign it electronically.")

# One badge per state of onboarding.standing; only "approved" is a success.
STANDINGS = {
    "to_do": _("To do"),
    "received_checking": _("Received, being checked"),
    "needs_new_document": _("New document needed"),
    "under_review": _("Received, under review"),
    "approved": _("Approved"),
    "not_approved": _("Not approved"),
    "expired": _("Expired"),
    "cancelled": _("Cancelled"),
    "blocked": _("Blocked"),
    "skipped": _("Skipped"),
    "nothing_to_do": _("Nothing to do now"),
}
# Steps without a document get their correction asked in other words.
CORRECTION_NEEDED = _("Correction needed")
DOCUMENT_STEP_TYPES = {
    "identity_document",
    "selfie",
    "proof_of_address",
    "bank_account",
    "company_registry",
    "document_analysis",
}


def standing_text(state, step_type=""):
    if state == "needs_new_document" and step_type and step_type not in DOCUMENT_STEP_TYPES:
        return CORRECTION_NEEDED
    return STANDINGS[state]


def reason_text(code):
    return REASONS.get(code, UNKNOWN_REASON)


def localized(value):
    """A text the workflow gives, as a string or as {"en": …, "de": …}, in the current language."""
    return text_in(value, get_language())


def step_title(step):
    title = localized(step.get("title"))
    default = step["type"].replace("_", " ").capitalize()
    # Titles the workflow left to their default are shown in the applicant's language.
    if not title or title == default:
        return STEP_TYPES[step["type"]].label if step["type"] in STEP_TYPES else default
    return title
