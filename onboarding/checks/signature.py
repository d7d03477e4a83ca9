"""Signature step check: the signed PDF validates and the signer's consent is on record."""

import hashlib
from dataclasses import asdict

from onboarding.checks import FAILED, PASSED, CheckResult


def run(documents, known, config):
    from onboarding import signing_certificate, signing_pdf

    evidence = (known.get("form") or {}).get("signature_evidence") or {}
    signed = [d for d in documents if d.kind == "signed_pdf"]
    if not signed:
        return CheckResult(FAILED, reason_codes=["signature_missing"])
    content = signed[-1].content
    statuses = signing_pdf.validate(content, [signing_certificate.certificate()])
    reasons = []
    if not statuses or not all(s.intact and s.valid for s in statuses):
        reasons.append("signature_invalid")
    elif not all(s.trusted for s in statuses):
        reasons.append("signer_untrusted")
    elif not statuses[-1].covers_whole_file:
        reasons.append("signature_not_covering_document")
    if not evidence.get("consent_text") or not evidence.get("consented_at"):
        reasons.append("consent_missing")
    digest = hashlib.sha256(content).hexdigest()
    if evidence and evidence.get("signed_sha256") != digest:
        reasons.append("document_mismatch")
    last = statuses[-1] if statuses else None
    fields = {
        "signer": last.signer if last else "",
        "signed_at": last.signed_at if last else "",
        "signature_count": len(statuses),
        "timestamped": bool(last and last.timestamped),
        "sha256": digest,
    }
    return CheckResult(
        FAILED if reasons else PASSED,
        fields=fields,
        reason_codes=reasons,
        details={"signatures": [asdict(s) for s in statuses]},
    )
