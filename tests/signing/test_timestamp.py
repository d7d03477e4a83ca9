"""PAdES B-T: with TIMESTAMP_URL set, the signature carries a timestamp from that server."""

import datetime
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from asn1crypto import keys, tsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from pyhanko.sign.timestamps import DummyTimeStamper

from onboarding import signing_certificate, signing_pdf
from tests.signing.pdfs import form_pdf


def timestamp_authority():
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Test Time Stamping Authority")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
        .sign(key, hashes.SHA256())
    )
    der_key = key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return DummyTimeStamper(
        asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER)), keys.PrivateKeyInfo.load(der_key)
    )


@pytest.fixture
def tsa_url():
    authority = timestamp_authority()
    requests_seen = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            query = tsp.TimeStampReq.load(self.rfile.read(int(self.headers["content-length"])))
            requests_seen.append(query)
            answer = authority.request_tsa_response(query).dump()
            self.send_response(200)
            self.send_header("content-type", "application/timestamp-reply")
            self.send_header("content-length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/tsa", requests_seen
    server.shutdown()
    server.server_close()


def test_signature_is_timestamped_when_a_server_is_configured(tsa_url):
    url, seen = tsa_url
    source = form_pdf()
    boxes = signing_pdf.signature_boxes(signing_pdf.form_fields(source), ["signature"])
    signed = signing_pdf.sign(
        signing_pdf.fill_and_flatten(source, {}),
        boxes,
        signing_certificate.signer(),
        signer_name="Anna",
        reason="test",
        timestamp_url=url,
    )
    assert seen  # pyhanko also asks once beforehand to size the signature
    (status,) = signing_pdf.validate(signed, [signing_certificate.certificate()])
    assert status.ok and status.covers_whole_file and status.timestamped
