"""Bank account check: IBAN and BIC from a bank details document or typed input.

The IBAN is read from the document (a RIB, a bank letter, a banking app's
screenshot; PDF text layer or OCR, in groups of four or compact) or taken from
the applicant's typed data, validated with schwifty (ISO 13616 checksum, the
country's format and, where schwifty knows it, the national check digits), and
a printed BIC (with or without "XXX") checked against the bank the IBAN belongs
to: a disagreement is reported (``bic_iban_mismatch``), never silently replaced.
The account holder is read after its label in six languages ("Titulaire du
compte", "Kontoinhaber", "Titular", "Intestatario", "Houder", "Account
holder"), beside or under it in its own column, title stripped; a branch name
or an address line is never taken for it. The holder must be the applicant.

The check passes only when IBAN and holder (and the BIC, when one is printed)
were read; a missing one is inconclusive (``iban_not_found``,
``holder_name_not_found``, ``bic_missing``; ``holder_name_unsure`` when OCR was unsure
of a word of the holder and the applicant's name does not confirm it). A holder read by OCR is
read a second time by the PP-OCRv6 recogniser, from the same pixels Tesseract read, and counts as
read only when both readings spell it alike. Where they differ only at accented letters ("Lépez"
and "López"; Tesseract's page pass has no Spanish, Italian or Dutch model), Tesseract reads the
holder a third time with a language model that writes every disputed letter (the country's where
it can), and the recogniser's spelling counts as read when that third reading spells it alike and
the first differently. Otherwise it is ``holder_name_unsure``, unless the applicant's name is
exactly one of the readings. ``details["sources"]`` says where
each field was read: ``{"iban": {"source": "pdf" | "ocr" | "typed" |
"registry", "label": "IBAN", "line": "IBAN : FR76 ..."}, "bic": ..., "holder_name":
...}``. Everything runs offline: schwifty ships its bank registry.
"""

import re
import warnings

from schwifty import BIC, IBAN, exceptions, registry

from onboarding.checks import FAILED, INCONCLUSIVE, PASSED, CheckResult
from onboarding.checks.holder_reading import read_holder
from onboarding.checks.images import UnreadableDocument
from onboarding.checks.labelled_lines import Labelled, first_labelled, holder_value, labelled, strip_civility
from onboarding.checks.names import compare_names, normalize
from onboarding.checks.ocr_text import document_lines, labelled_value, lines_text
from onboarding.steps import DEFAULT_NAME_THRESHOLD

# Most specific first; a label written with a colon is generic and needs one after it.
HOLDER_LABELS = [
    "Titulaire du compte", "Intitulé du compte", "Titulaire", "Bénéficiaire",
    "Name des Kontoinhabers", "Kontoinhaber/in", "Kontoinhaberin", "Kontoinhaber", "Inhaber/in", "Inhaber",
    "Titular de la cuenta", "Titular del cuenta", "Nombre del titular", "Titular",
    "Intestatario del conto", "Intestatario", "Intestato a", "Titolare del conto", "Titolare",
    "Rekeninghouder", "Ten name van", "T.n.v.", "Tenaamstelling", "Houder",
    "Account holder", "Account name", "Name of account holder", "Beneficiary",
    "Nom:", "Name:", "Naam:", "Nombre:", "Nome:",
]  # fmt: skip
# Labels of the bank's branch: what they name is never the holder.
BRANCH_LABELS = ["Domiciliation", "Agence", "Banque", "Filiale", "Kreditinstitut", "Bank", "Oficina", "Sucursal",
                 "Entidad", "Agenzia", "Banca", "Kantoor", "Vestiging", "Bankkantoor", "Branch"]  # fmt: skip
# Words of banks' names that people and companies share.
BANK_NAME_FILLERS = {"banque", "bank", "banco", "banca", "credit", "caisse", "cooperative", "populaire", "societe",
                     "generale", "france", "deutsche", "national", "nacional", "nazionale", "group", "groupe"}  # fmt: skip

BIC_LABELS = ["Code BIC", "BIC / SWIFT", "BIC/SWIFT", "BIC-Code", "Codice BIC", "Código BIC", "Code SWIFT",
              "BIC", "SWIFT"]  # fmt: skip

# What OCR reads instead of a digit. Applied only where the country's format has a
# digit, and kept only when the IBAN checksum then confirms the reading.
DIGIT_LOOKALIKES = str.maketrans({"O": "0", "D": "0", "Q": "0", "I": "1", "L": "1", "Z": "2", "S": "5", "B": "8"})

# And the other way round, where a BIC must have letters.
LETTER_LOOKALIKES = str.maketrans({"0": "O", "1": "I", "2": "Z", "5": "S", "8": "B", "6": "G"})

_IBAN_START = re.compile(r"(?<![A-Z0-9])([A-Z]{2})(?=[ \t]?[0-9OILSZBDQ]{2})")
_BIC_SHAPE = re.compile(r"^[A-Z]{6}[A-Z0-9]{2}(?:[A-Z0-9]{3})?$")
_BIC_ANYWHERE = re.compile(r"(?<![A-Z0-9])([A-Z]{6}[A-Z0-9]{2}(?:[A-Z0-9]{3})?)(?![A-Z0-9])")
_SPEC_PART = re.compile(r"(\d+)!?([nac])")
# Spaces and hyphens group an IBAN's characters; more than two in a row means the next column.
_MAX_GAP = 2


def _iban_spec(country_code):
    try:
        return registry.get_iban_spec(country_code)
    except (KeyError, exceptions.SchwiftyException):
        return None


def _positions(spec, kind):
    """Indexes of the IBAN's characters that must be digits ("n", check digits
    included) or letters ("a")."""
    positions, index = ({2, 3} if kind == "n" else set()), 4
    for count, part_kind in _SPEC_PART.findall(spec.bban_spec):
        if part_kind == kind:
            positions.update(range(index, index + int(count)))
        index += int(count)
    return positions


def _read_run(text, start, length):
    """Up to ``length`` letters and digits from ``start``, skipping the spaces that group them."""
    chars, gap = [], 0
    for char in text[start:]:
        if char.isalnum():
            chars.append(char)
            gap = 0
            if len(chars) == length:
                break
        elif char in " \t-" and gap < _MAX_GAP:
            gap += 1
        else:
            break
    return "".join(chars)


def repair_digits(candidate):
    """The candidate with OCR look-alikes turned into digits where its country's
    format requires digits (and into letters where it requires letters, like an
    Italian CIN), or None when that does not make a valid IBAN."""
    spec = _iban_spec(candidate[:2])
    if spec is None:
        return None
    digits, letters = _positions(spec, "n"), _positions(spec, "a")
    repaired = "".join(
        char.translate(DIGIT_LOOKALIKES) if index in digits else
        char.translate(LETTER_LOOKALIKES) if index in letters else char
        for index, char in enumerate(candidate)
    )  # fmt: skip
    return repaired if repaired != candidate and validate_iban(repaired)[0] else None


def validate_iban(value):
    """(IBAN, None) when valid, else (None, reason) with schwifty's explanation."""
    compact = re.sub(r"[\s-]", "", str(value or "")).upper()
    try:
        with warnings.catch_warnings():
            # Countries without a registered national checksum are only checked on the ISO checksum.
            warnings.simplefilter("ignore", exceptions.NationalChecksumNotVerified)
            return IBAN(compact, validate_bban=True), None
    except exceptions.SchwiftyException as exc:
        return None, str(exc)


def find_ibans(text):
    """IBAN candidates in a text, valid ones first: (compact string, is_valid).

    OCR confusions in digit positions are repaired when the checksum confirms.
    """
    upper = text.upper()
    # The value after an "IBAN" label comes first: when nothing validates, it is what the applicant sent.
    labelled = labelled_value(text, ["IBAN"])
    candidates = [re.sub(r"[^A-Z0-9]", "", labelled.upper())] if labelled else []
    for match in _IBAN_START.finditer(upper):
        spec = _iban_spec(match.group(1))
        if spec is None:
            continue
        candidates.append(_read_run(upper, match.start(), spec.iban_length))
    found = []
    for candidate in dict.fromkeys(candidates):
        if validate_iban(candidate)[0]:
            found.append((candidate, True))
        elif repaired := repair_digits(candidate):
            found.append((repaired, True))
        else:
            found.append((candidate, False))
    return sorted(dict.fromkeys(found), key=lambda item: not item[1])


def _bic_from_value(value):
    """A BIC printed after its label, possibly spaced ("BNPA FR PP XXX"): the
    leading groups while they fit in eleven characters."""
    joined = ""
    for token in re.sub(r"[^A-Z0-9]", " ", value.upper()).split():
        if len(joined + token) > 11:
            break
        joined += token
    return joined or None


def find_bic(text, country_code=""):
    """The BIC after a BIC/SWIFT label, else the first known bank's BIC of the IBAN's country."""
    labelled = labelled_value(text, BIC_LABELS)
    if labelled:
        return _bic_from_value(labelled)
    for match in _BIC_ANYWHERE.finditer(text.upper()):
        candidate = match.group(1)
        if (not country_code or candidate[4:6] == country_code) and _bic_exists(candidate):
            return candidate
    return None


def _bank_name_of(bic):
    names = bic.bank_names if bic is not None else []
    return names[0] if names else ""


def _bic_exists(value):
    try:
        return BIC(value).exists
    except exceptions.SchwiftyException:
        return False


def check_bic(bic_value, iban):
    """Reason codes for a BIC on its own and against the IBAN's bank."""
    try:
        bic = BIC(bic_value)
    except exceptions.SchwiftyException:
        return ["bic_invalid"], None
    if iban is None:
        return [], bic
    if bic.country_code != iban.country_code:
        return ["bic_iban_mismatch"], bic
    # Compare with the IBAN's bank only when schwifty knows it; a bank can hold several BICs.
    expected = iban.bic
    if expected is not None and bic[:4] != expected[:4] and iban.bank_code not in (bic.domestic_bank_codes or []):
        return ["bic_iban_mismatch"], bic
    return [], bic


def applicant_names(known):
    """(name, kind) pairs the account may be held in: the person and/or the company."""
    identity = known.get("identity") or {}
    person = " ".join(filter(None, (identity.get("first_name"), identity.get("last_name"))))
    company = (known.get("company") or {}).get("company_name") or ""
    return [(name, kind) for name, kind in ((person, "person"), (company, "company")) if name.strip()]


def _holder_score(holder, names):
    return max(compare_names(holder, name, kind=kind) for name, kind in names)


def _not_the_bank(lines, bank_name):
    """A test that a holder read is neither the branch named on the page (after its
    label) nor the bank itself ("BNP PARIBAS LYON BELLECOUR" beside the holder)."""
    branches = {normalize(item.value) for item in labelled(lines, BRANCH_LABELS)}
    # Words of four letters or more: "de", "la" or "ING" are shared by too many names.
    bank_words = {word for word in normalize(bank_name or "").split() if len(word) >= 4} - BANK_NAME_FILLERS

    def acceptable(value):
        name = normalize(strip_civility(value))
        return holder_value(value) and name not in branches and not bank_words & set(name.split())

    return acceptable


def find_holder(lines, names, threshold, bank_name=""):
    """The account holder (a Labelled, title stripped) printed after its label or,
    on documents without one, a line that matches the applicant."""
    acceptable = _not_the_bank(lines, bank_name)
    found = first_labelled(lines, HOLDER_LABELS, acceptable, decisive=True)
    if found:
        return Labelled(strip_civility(found.value), found.label, found.line)
    if not names:
        return None
    scored = [(_holder_score(strip_civility(line.text), names), line) for line in lines if acceptable(line.text)]
    score, line = max(scored, key=lambda item: item[0], default=(0, None))
    return Labelled(strip_civility(line.text), "", line) if line and score >= threshold else None


def repair_bic(value):
    """The BIC with OCR's digits for letters put back in its six letter positions
    (bank and country codes), when that makes a BIC the registry knows."""
    repaired = value[:6].translate(LETTER_LOOKALIKES) + value[6:]
    return repaired if repaired != value and _bic_exists(repaired) else value


def _same_characters(read, registered):
    """True when two BICs differ only by OCR look-alikes (and an "XXX" branch code)."""

    def folded(value):
        return value.removesuffix("XXX").translate(LETTER_LOOKALIKES)

    return folded(read) == folded(registered)


def _bic_length(value):
    return len(_bic_from_value(value) or "") in (8, 11)


def find_printed_bic(lines, text, country_code):
    """(BIC or None, Labelled or None, whether a BIC label is printed at all).
    A value of a BIC's length after the label is kept even when malformed: it is
    reported invalid, not ignored."""
    found = first_labelled(lines, BIC_LABELS, _bic_length)
    if found:
        return repair_bic(_bic_from_value(found.value)), found, True
    printed = any(first_labelled([line], BIC_LABELS) is not None for line in lines)
    value = find_bic(text, country_code)
    if value and len(value) in (8, 11):
        value = repair_bic(value)
        line = next((line for line in lines if value in re.sub(r"[^A-Z0-9]", "", line.text.upper())), None)
        return value, Labelled(value, "", line) if line else None, True
    return None, None, printed


def _iban_source(lines, compact):
    """Where the IBAN was printed: the line holding it and the label before it."""
    for line in lines:
        if compact[:8] in re.sub(r"[^A-Z0-9]", "", line.text.upper()):
            label = "IBAN" if "IBAN" in line.text.upper() else ""
            return {"source": line.source, "label": label, "line": line.text}
    return {"source": lines[0].source if lines else "typed", "label": "", "line": ""}


def _accounts(known, config):
    """(the account the applicant typed in this step, the account the company already knew)."""
    submitted = {k: v for k, v in ((known.get("form") or {}).get("bank_account") or {}).items() if v}
    on_file = dict(config.get("bank_account") or {})
    on_file.update({key: value for key, value in (known.get("bank_account") or {}).items() if value})
    return submitted, on_file


# A field that could not be read sends the document to a reviewer; every other code is a failure.
MISSING_CODES = ("holder_name_not_found", "holder_name_unsure", "bic_missing")


def _outcome(codes):
    if any(code not in MISSING_CODES for code in codes):
        return FAILED
    return INCONCLUSIVE if codes else PASSED


def run(documents, known, config):
    threshold = config.get("name_match_threshold", DEFAULT_NAME_THRESHOLD)
    submitted, on_file = _accounts(known, config)
    typed = submitted if submitted.get("iban") else on_file
    details = {"name_match_threshold": threshold}

    if not documents and config.get("require_document"):
        return CheckResult(INCONCLUSIVE, reason_codes=["iban_not_found"], details={"document_required": True})
    try:
        lines = document_lines(documents) if documents else []
    except UnreadableDocument as exc:
        details["error"] = str(exc)
        return CheckResult(INCONCLUSIVE, reason_codes=["document_unreadable"], details=details, unusable=True)
    text = lines_text(lines)

    candidates = find_ibans(text) if text else []
    details["iban_candidates"] = [value for value, _ in candidates]
    if candidates:
        iban_text, source = candidates[0][0], "document"
    elif typed.get("iban") and not documents and config.get("allow_typed_iban", True):
        iban_text, source = typed["iban"], "typed"
    else:
        # A document without a readable IBAN must be uploaded again.
        return CheckResult(INCONCLUSIVE, reason_codes=["iban_not_found"], details=details, unusable=bool(documents))
    details["source"] = source
    sources = {"iban": _iban_source(lines, iban_text) if source == "document" else
               {"source": "typed", "label": "", "line": typed["iban"]}}  # fmt: skip

    codes = []
    iban, error = validate_iban(iban_text)
    if iban is None:
        codes.append("iban_invalid")
        details["iban_error"] = error
    else:
        # Whatever was checked must be the account typed and the one on file, where they exist.
        others = [submitted.get("iban"), on_file.get("iban")] if source == "document" else [on_file.get("iban")]
        if any(other and validate_iban(other)[0] != iban for other in others):
            codes.append("iban_mismatch")

    country = iban.country_code if iban is not None else iban_text[:2].upper()
    bic_value, bic_found, bic_printed = (find_printed_bic(lines, text, country) if source == "document"
                                         else (None, None, False))  # fmt: skip
    if bic_found:
        sources["bic"] = bic_found.source()
    if bic_printed and not bic_value:
        codes.append("bic_missing")
    if not bic_value and typed.get("bic"):
        bic_value = typed["bic"]
        sources["bic"] = {"source": "typed", "label": "", "line": bic_value}
    bic = iban.bic if iban is not None else None  # schwifty's registry knows many banks' BICs
    if bic_value and bic is not None and bic_value != str(bic) and _same_characters(bic_value, str(bic)):
        # OCR's 1 for I (or 0 for O) in the branch code: the IBAN's bank confirms the reading.
        registered = str(bic)
        details["bic_read"] = bic_value
        bic_value = registered if len(bic_value) == len(registered) else registered[:8] + bic_value[8:]
    if bic_value:
        bic_codes, bic = check_bic(bic_value, iban)
        codes += bic_codes
    elif bic:
        sources["bic"] = {"source": "registry", "label": "", "line": str(bic)}

    holder = ""
    if source == "document":
        names = applicant_names(known)
        found = find_holder(lines, names, threshold, iban.bank_name if iban is not None else "")
        if found is None:
            codes.append("holder_name_not_found")
        else:
            sources["holder_name"] = found.source()
            reading = read_holder(found, country)
            holder, agreed = reading.value, reading.agreed
            sources["holder_name"].update(reading.notes)
            if not agreed:
                # Two readers read two names: one misread it. Only the applicant's name, being
                # exactly one of them, says which; otherwise a reviewer looks at the page.
                confirmed = reading.confirmed_by(names) if names else None
                holder = confirmed or holder
                if names:
                    details["holder_name_score"] = _holder_score(holder, names)
                if not confirmed:
                    codes.append("holder_name_unsure")
            elif names:
                # The applicant's name confirms a reading OCR was unsure of; a mismatch may be
                # the misreading, so it sends the document to a reviewer rather than failing it.
                details["holder_name_score"] = score = _holder_score(holder, names)
                if score < threshold:
                    codes.append("holder_name_unsure" if reading.unsure else "holder_name_mismatch")
            elif reading.unsure:
                codes.append("holder_name_unsure")
    details["sources"] = sources

    fields = {
        "iban": str(iban) if iban is not None else re.sub(r"\s", "", iban_text).upper(),
        "bic": str(bic) if bic else (bic_value or ""),
        "bank_name": (iban.bank_name if iban is not None else None) or _bank_name_of(bic),
        "holder_name": holder,
        "country": country,
    }
    return CheckResult(_outcome(codes), fields=fields, reason_codes=codes, details=details)
