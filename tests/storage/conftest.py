"""An S3-compatible server (moto's server mode) on 127.0.0.1, and the app's storage pointed at it
through the settings module's own USE_S3 branch."""

import runpy
import socket
import uuid
from pathlib import Path

import boto3
import pytest
from moto.server import ThreadedMotoServer

SETTINGS_FILE = Path(__file__).resolve().parents[2] / "config" / "settings.py"
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "threshold-test", "AWS_SECRET_ACCESS_KEY": "threshold-test-secret"}


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def s3_endpoint():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=free_port(), verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


class Bucket:
    def __init__(self, endpoint, name):
        self.name = name
        self.client = boto3.client(
            "s3",
            endpoint_url=endpoint,
            region_name="eu-west-1",
            aws_access_key_id=CREDENTIALS["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        )

    def keys(self):
        listing = self.client.list_objects_v2(Bucket=self.name)
        return sorted(item["Key"] for item in listing.get("Contents", []))

    def read(self, key):
        return self.client.get_object(Bucket=self.name, Key=key)["Body"].read()


@pytest.fixture
def s3_settings(s3_endpoint, settings, monkeypatch):
    """USE_S3=1 as production sets it: STORAGES come from running config/settings.py with that
    environment, so the tests exercise the settings' own S3 options."""
    name = f"threshold-{uuid.uuid4().hex[:12]}"
    environment = {
        **CREDENTIALS,
        "USE_S3": "1",
        "AWS_STORAGE_BUCKET_NAME": name,
        "AWS_S3_ENDPOINT_URL": s3_endpoint,
        "AWS_S3_REGION_NAME": "eu-west-1",
    }
    for key, value in environment.items():
        monkeypatch.setenv(key, value)
    configured = runpy.run_path(str(SETTINGS_FILE))
    settings.USE_S3 = True
    settings.STORAGES = configured["STORAGES"]
    return Bucket(s3_endpoint, name)


@pytest.fixture
def bucket(s3_settings):
    s3_settings.client.create_bucket(
        Bucket=s3_settings.name, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"}
    )
    return s3_settings
