from onboarding.checks.related_parties import run


def test_declared_parties_pass_with_their_names_and_roles():
    parties = [
        {"session_id": "s1", "name": "Jean Dupont", "role": "director"},
        {"first_name": "Anna", "last_name": "Eriksson", "role": "ubo"},
    ]
    result = run([], {"form": {"parties": parties}}, {})
    assert result.result == "passed" and result.reason_codes == []
    assert [(p["name"], p["role"]) for p in result.fields["parties"]] == [
        ("Jean Dupont", "director"),
        ("Anna Eriksson", "ubo"),
    ]


def test_no_party_is_missing():
    for form in ({}, {"parties": []}, {"parties": "nobody"}, {"parties": [{"role": "ubo"}]}):
        result = run([], {"form": form}, {})
        assert (result.result, result.reason_codes) == ("failed", ["related_parties_missing"])


def test_a_role_the_step_does_not_accept_fails():
    result = run([], {"form": {"parties": [{"name": "Jean Dupont", "role": "director"}]}}, {"roles": ["ubo"]})
    assert result.reason_codes == ["related_party_role_invalid"]
