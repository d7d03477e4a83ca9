"""What one document upload costs the web process: one transaction, and as many statements
whatever the number of the applicant's steps."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import make_session, make_workflow
from tests.portal.conftest import open_link
from tests.portal.images import photo_bytes
from tests.portal.test_steps import upload

pytestmark = pytest.mark.django_db

FORMS = [
    {"id": f"details-{n}", "type": "form", "config": {"fields": [{"id": "email", "type": "email"}]}} for n in range(8)
]


def upload_statements(client, org, steps, files):
    session = make_session(org, make_workflow(org, steps=steps))
    _, path = open_link(client, session)
    client.get(path)
    with CaptureQueriesContext(connection) as queries:
        response = client.post(path + "steps/identity/", files)
    assert response.status_code == 302 and "steps/identity" not in response["Location"], response["Location"]
    assert session.verifications.get(step_id="identity").status == "submitted"
    return [q["sql"] for q in queries.captured_queries]


@pytest.mark.parametrize(
    "files",
    [
        {"kind": "passport", "file_front": "front"},
        {"kind": "id_card", "file_front": "front", "file_back": "back"},
    ],
)
def test_an_upload_is_one_transaction_whatever_the_number_of_steps(client, org, files):
    identity = [{"id": "identity", "type": "identity_document"}]
    costs = []
    for steps in (identity, identity + FORMS):
        sent = {
            key: upload(f"{value}.jpg", photo_bytes(value)) if key.startswith("file") else value
            for key, value in files.items()
        }
        statements = upload_statements(client, org, steps, sent)
        # In a test each transaction is a savepoint: exactly one is opened, around all the writes.
        assert sum(sql.startswith("SAVEPOINT") for sql in statements) == 1
        costs.append(len(statements))
    assert costs[0] == costs[1]
