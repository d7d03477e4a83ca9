from onboarding.checks.labelled_lines import first_labelled, holder_value, looks_like_name, strip_civility
from onboarding.checks.ocr_text import TextLine


def line(text, left, top, right=None, height=20):
    return TextLine(text, (left, top, right or left + 12 * len(text), top + height))


def test_value_after_the_label_on_its_own_line():
    found = first_labelled([line("Titulaire du compte : M. JEAN DUPONT", 50, 100)], ["Titulaire du compte"])
    assert found.value == "M. JEAN DUPONT"
    assert found.label == "Titulaire du compte"


def test_heading_reads_the_line_under_it_not_the_next_column():
    page = [
        line("Titulaire du contrat", 50, 100),
        line("Votre contrat", 600, 100),
        line("M. JEAN DUPONT", 50, 130),
        line("Offre : Tarif Bleu", 600, 130),
    ]
    assert first_labelled(page, ["Titulaire du contrat"], holder_value).value == "M. JEAN DUPONT"


def test_label_with_a_colon_reads_the_next_cell_of_its_row():
    page = [line("Kontoinhaber:", 50, 100), line("Frau Anna Schmidt", 400, 102), line("Filiale:", 50, 130)]
    found = first_labelled(page, ["Kontoinhaber"], holder_value)
    assert (found.value, found.line.text) == ("Frau Anna Schmidt", "Frau Anna Schmidt")


def test_generic_label_needs_a_colon():
    page = [line("Name der Bank Commerzbank", 50, 100), line("Name: Lukas Becker", 50, 130)]
    assert first_labelled(page, ["Name:"]).value == "Lukas Becker"


def test_longer_label_wins_over_its_first_word():
    page = [line("Titulaire du compte", 50, 100), line("ACME SOLUTIONS SAS", 50, 130)]
    found = first_labelled(page, ["Titulaire du compte", "Titulaire"], holder_value)
    assert (found.label, found.value) == ("Titulaire du compte", "ACME SOLUTIONS SAS")


def test_a_line_too_far_under_the_label_is_not_its_value():
    page = [line("Account holder", 50, 100), line("Oliver Smith", 50, 400)]
    assert first_labelled(page, ["Account holder"], holder_value) is None


def test_titles_are_stripped_in_six_languages():
    for printed, name in [
        ("M. JEAN DUPONT", "JEAN DUPONT"),
        ("Mme Marie Martin", "Marie Martin"),
        ("Frau Dr. Eva Wolf", "Eva Wolf"),
        ("Mevrouw Anna de Vries", "Anna de Vries"),
        ("Dhr. Pieter Jansen", "Pieter Jansen"),
        ("Sra. Lucía Martín", "Lucía Martín"),
        ("Sig.ra Giulia Rossi", "Giulia Rossi"),
        ("Mr John Smith", "John Smith"),
    ]:
        assert strip_civility(printed) == name


def test_branches_addresses_and_labels_are_no_holders():
    assert holder_value("M. Jean Dupont")
    assert holder_value("ACME SOLUTIONS SAS")
    for value in [
        "AGENCE PARIS OPERA",
        "Filiale di Milano Centro",
        "12 RUE DES LILAS",
        "Appartement 23, Bâtiment B",
        "Code BIC",
        "Votre contrat",
        "Sucursal Gran Vía",
        "Gartenweg 3a",
    ]:
        assert not holder_value(value), value


def test_a_long_label_misread_by_ocr_still_counts_a_short_one_does_not():
    page = [line("litulairc du compte", 50, 100), line("Mme Claire Fontaine", 50, 130)]
    assert first_labelled(page, ["Titulaire du compte"], holder_value).value == "Mme Claire Fontaine"
    assert first_labelled([line("Nam: Claire Fontaine", 50, 100)], ["Name:"]) is None


def test_a_short_label_alone_on_its_line_counts_with_one_letter_misread():
    page = [line("litulaire", 50, 100), line("Mme Claire Fontaine", 50, 130)]
    assert first_labelled(page, ["Titulaire"], holder_value).value == "Mme Claire Fontaine"
    dated = [line("Date d'établissement : 17/10/2026", 50, 100)]
    assert first_labelled(dated, ["date d etablissement"]).value == "17/10/2026"


def test_a_name_is_made_of_words_not_of_smudges_read_as_signs():
    assert looks_like_name("Dupont & Fils")
    assert looks_like_name("Bäckerei Schulz e.K.")
    assert not looks_like_name("JEAN ==")
    assert not looks_like_name("JEAN -—")
