"""Words people read for the domain's codes: extracted fields, check reason codes, audit
actions, decision reasons and where a value was read. One catalogue, translated through
gettext, for the dashboard, the evidence pack and the API's reason descriptions; a code
missing here reads as the code made legible, so a new check never shows a blank.
"""

from django.utils.translation import gettext_lazy as _

FIELDS = {
    "given_names": _("Given names"),
    "first_name": _("First name"),
    "first_names": _("First names"),
    "surname": _("Surname"),
    "last_name": _("Last name"),
    "full_name": _("Full name"),
    "birth_date": _("Date of birth"),
    "date_of_birth": _("Date of birth"),
    "birth_place": _("Place of birth"),
    "nationality": _("Nationality"),
    "sex": _("Sex"),
    "gender": _("Sex"),
    "document_type": _("Document type"),
    "document_number": _("Document number"),
    "issuing_country": _("Issuing country"),
    "issuing_authority": _("Issuing authority"),
    "issue_date": _("Issue date"),
    "expiry_date": _("Expiry date"),
    "optional_data_1": _("Optional data (line 1)"),
    "optional_data_2": _("Optional data (line 2)"),
    "mrz": _("Machine-readable zone"),
    "mrz_format": _("MRZ format"),
    "address": _("Address"),
    "line_1": _("Address line 1"),
    "line_2": _("Address line 2"),
    "zip_code": _("Postcode"),
    "city": _("City"),
    "country": _("Country"),
    "holder_name": _("Account holder"),
    "iban": _("IBAN"),
    "bic": _("BIC"),
    "bank_name": _("Bank"),
    "company_name": _("Company name"),
    "registration_number": _("Registration number"),
    "registration_number_scheme": _("Registration number type"),
    "country_code": _("Country"),
    "legal_form": _("Legal form"),
    "registration_date": _("Registration date"),
    "email": _("Email"),
    "phone": _("Phone"),
    "phone_number": _("Phone"),
    "plate_number": _("Plate number"),
    "first_registration_date": _("First registration"),
    "licence_number": _("Licence number"),
    "social_security_number": _("Social security number"),
    "detected_type": _("Detected document type"),
    "signature_date": _("Signature date"),
}

# What a check found, as the reviewer reads it.
REASONS = {
    "document_unreadable": _("Document unreadable"),
    "document_required": _("Document missing"),
    "document_expired": _("Document expired"),
    "document_too_old": _("Document too old"),
    "document_type_unknown": _("Document type not recognised"),
    "document_type_mismatch": _("Not the document type asked for"),
    "document_type_not_accepted": _("Document type not accepted"),
    "document_mismatch": _("Documents disagree"),
    "mrz_unreadable": _("Machine-readable zone unreadable"),
    "mrz_not_found": _("Machine-readable zone not found"),
    "mrz_checksum_invalid": _("MRZ check digits invalid"),
    "name_mismatch": _("Name does not match"),
    "birth_date_mismatch": _("Date of birth does not match"),
    "nationality_mismatch": _("Nationality does not match"),
    "underage": _("Under the minimum age"),
    "country_not_allowed": _("Country not accepted"),
    "country_not_supported": _("Country not supported"),
    "face_mismatch": _("Face does not match the document"),
    "face_not_found_selfie": _("No face on the selfie"),
    "face_not_found_document": _("No face on the identity document"),
    "multiple_faces_selfie": _("Several faces on the selfie"),
    "address_mismatch": _("Address does not match"),
    "address_missing": _("No address on the document"),
    "issue_date_missing": _("No issue date on the document"),
    "twoddoc_invalid": _("2D-Doc barcode signature invalid"),
    "twoddoc_mismatch": _("2D-Doc barcode disagrees with the printed text"),
    "iban_not_found": _("No IBAN found"),
    "iban_invalid": _("IBAN invalid"),
    "iban_mismatch": _("IBAN does not match"),
    "bic_invalid": _("BIC invalid"),
    "bic_missing": _("BIC missing"),
    "bic_iban_mismatch": _("BIC does not belong to the IBAN's bank"),
    "holder_name_missing": _("No account holder on the document"),
    "holder_name_not_found": _("Account holder not found"),
    "holder_name_unsure": _("Account holder not read clearly"),
    "holder_name_mismatch": _("Account holder does not match"),
    "registration_number_invalid": _("Registration number invalid"),
    "registration_number_missing": _("Registration number missing"),
    "registration_number_mismatch": _("Registration number does not match"),
    "company_name_mismatch": _("Company name does not match"),
    "certificate_missing": _("Certificate missing"),
    "certificate_unreadable": _("Certificate unreadable"),
    "key_fields_missing": _("Key fields missing"),
    "form_invalid": _("Form answers invalid"),
    "consent_missing": _("Consent missing"),
    "signature_missing": _("Signature missing"),
    "signature_invalid": _("Signature invalid"),
    "signature_not_covering_document": _("Signature does not cover the whole document"),
    "signer_untrusted": _("Signer's certificate not trusted"),
    "related_parties_missing": _("Related parties missing"),
    "related_party_role_invalid": _("Related party role invalid"),
    "watchlist_hit": _("Watchlist hit"),
}

# Reasons a reviewer gives for a decision, stored with it.
DECISION_REASONS = {
    "identity_not_verified": _("Identity not verified"),
    "document_suspected_forged": _("Document suspected forged"),
    "document_expired": _("Document expired"),
    "data_mismatch": _("Data does not match"),
    "watchlist_confirmed": _("Watchlist hit confirmed"),
    "address_not_verified": _("Address not verified"),
    "bank_account_not_verified": _("Bank account not verified"),
    "company_not_verified": _("Company not verified"),
    "underage": _("Under minimum age"),
    "fraud_suspected": _("Fraud suspected"),
    "all_checks_passed": _("All checks passed"),
    "verified_by_reviewer": _("Verified by reviewer"),
}

AUDIT_ACTIONS = {
    "session.created": _("Session created"),
    "session.activate": _("Links generated"),
    "session.complete": _("Everything submitted"),
    "session.start_processing": _("Checks started"),
    "session.finish_processing": _("Checks finished"),
    "session.processing_results": _("Recommendation computed"),
    "session.approve": _("Approved"),
    "session.reject": _("Rejected"),
    "session.send_to_manual_review": _("Sent to manual review"),
    "session.reopen": _("Decision reopened"),
    "session.request_corrections": _("Corrections requested"),
    "session.expire": _("Session expired"),
    "session.extend": _("Session extended"),
    "session.extended": _("Session extended"),
    "session.reactivate": _("Session reopened for a new step"),
    "session.cancel": _("Session cancelled"),
    "session.updated": _("Session updated"),
    "session.note": _("Note added"),
    "session.erased": _("Personal data erased"),
    "session.evidence_exported": _("Evidence pack exported"),
    "session.revalidated": _("Watchlist screened again"),
    "session.rescored": _("Risk score recomputed"),
    "session.subsession_deleted": _("Related party removed"),
    "applicant.created": _("Applicant added"),
    "applicant.updated": _("Applicant's known data changed"),
    "applicant.deleted": _("Applicant removed"),
    "applicant.link_generated": _("Link generated"),
    "applicant.notify": _("Applicant notified"),
    "applicant.open_link": _("Link opened"),
    "applicant.submit": _("Applicant submitted everything"),
    "applicant.mark_processed": _("Applicant's checks done"),
    "applicant.block": _("Applicant blocked"),
    "applicant.unblock": _("Applicant unblocked"),
    "applicant.renotify": _("Applicant asked for a new step"),
    "verification.attached": _("Step added"),
    "verification.submit": _("Step submitted"),
    "verification.start_processing": _("Check started"),
    "verification.finish": _("Check done"),
    "verification.retry": _("Document unusable, new attempt"),
    "verification.block": _("Step blocked: no attempts left"),
    "verification.unblock": _("More attempts granted"),
    "verification.request_correction": _("Correction requested"),
    "verification.skip": _("Step skipped"),
    "verification.resolve": _("Resolved by hand"),
    "verification.override": _("Check result overridden"),
    "document.uploaded": _("Document uploaded"),
    "document.replaced": _("Document replaced"),
    "signature.signed": _("Document signed"),
    "watchlist.false_positive": _("Watchlist hit dismissed"),
    "watchlist.loaded": _("Watchlist loaded"),
}

ACTORS = {
    "user": _("Reviewer"),
    "api_key": _("API key"),
    "applicant": _("Applicant"),
    "system": _("System"),
}

# Where an extracted value was read (the `sources` of a check's data).
SOURCES = {
    "mrz": _("MRZ"),
    "viz": _("Printed text (VIZ)"),
    "2d-doc": _("2D-Doc barcode"),
    "twoddoc": _("2D-Doc barcode"),
    "ocr": _("OCR"),
    "text": _("PDF text"),
    "pdf": _("PDF text"),
    "pdf_text": _("PDF text"),
    "registry": _("Bank registry"),
    "barcode": _("Barcode"),
    "typed": _("Typed by the applicant"),
}

# The states of SPEC §3 (sessions, applicants, steps, correction requests), the outcomes a
# recommendation can name, the kinds of applicant and the risk levels, as the dashboard shows them.
STATUSES = {
    "draft": _("Draft"),
    "active": _("Active"),
    "completed": _("Completed"),
    "processing": _("Processing"),
    "processed": _("Processed"),
    "manual_review": _("Manual review"),
    "approved": _("Approved"),
    "rejected": _("Rejected"),
    "flagged": _("Flagged"),
    "awaiting_client_correction": _("Awaiting client correction"),
    "expired": _("Expired"),
    "cancelled": _("Cancelled"),
    "initiated": _("Initiated"),
    "notified": _("Notified"),
    "in_progress": _("In progress"),
    "submitted": _("Submitted"),
    "blocked": _("Blocked"),
    "awaiting_data": _("Awaiting data"),
    "done": _("Done"),
    "needs_correction": _("Needs correction"),
    "skipped": _("Skipped"),
    "open": _("Open"),
    "resolved": _("Resolved"),
    "natural_person": _("Natural person"),
    "legal_person": _("Legal person"),
    "low": _("Low"),
    "medium": _("Medium"),
    "high": _("High"),
}

RESULTS = {
    "passed": _("passed"),
    "failed": _("failed"),
    "inconclusive": _("inconclusive"),
}


def legible(code):
    """A code no catalogue knows, readable: holder_name_score → Holder name score."""
    text = str(code or "").replace("_", " ").replace(".", ": ")
    return text[:1].upper() + text[1:]


def field_label(name):
    return FIELDS.get(name) or legible(name)


def reason_label(code):
    known = REASONS.get(code) or DECISION_REASONS.get(code)
    if known:
        return known
    # A check names a key field it could not read as <field>_missing.
    if code.endswith("_missing") and code[: -len("_missing")] in FIELDS:
        return _("%(field)s missing") % {"field": FIELDS[code[: -len("_missing")]]}
    return legible(code)


def action_label(action):
    return AUDIT_ACTIONS.get(action) or legible(action)


def source_label(source):
    return SOURCES.get(str(source).lower()) or str(source)


def status_label(status):
    return STATUSES.get(status) or legible(status)


def result_label(result):
    return RESULTS.get(result) or legible(result)
