"""The certificate documents are signed with: a PKCS#12 file from settings, or a
self-signed one generated once for development (never in production)."""

import datetime
from pathlib import Path

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from pyhanko.sign import signers

DEVELOPMENT_FILE = "development-signing.p12"
_cache = {}


def signer():
    """A pyhanko signer holding the key and certificate (loaded once per file version)."""
    path, password = _pkcs12_location()
    key = (str(path), path.stat().st_mtime_ns)
    if key not in _cache:
        loaded = signers.SimpleSigner.load_pkcs12(str(path), passphrase=password)
        if loaded is None:
            raise ImproperlyConfigured(f"The signing PKCS#12 file {path} cannot be opened with the given password.")
        _cache.clear()
        _cache[key] = loaded
    return _cache[key]


def certificate():
    """The signing certificate (asn1crypto), trusted by this installation's own checks."""
    cert = signer().signing_cert
    return asn1_x509.Certificate.load(cert.dump())


def _pkcs12_location():
    configured = settings.SIGNING_PKCS12_PATH
    if configured:
        password = settings.SIGNING_PKCS12_PASSWORD or ""
        return Path(configured), password.encode() or None
    if settings.PRODUCTION:
        raise ImproperlyConfigured("Set SIGNING_PKCS12_PATH (and SIGNING_PKCS12_PASSWORD) to sign documents.")
    directory = Path(settings.SIGNING_DEVELOPMENT_DIR)
    path = directory / DEVELOPMENT_FILE
    if not path.exists():
        directory.mkdir(parents=True, exist_ok=True)
        path.write_bytes(self_signed_pkcs12("Threshold development signing"))
        path.chmod(0o600)
    return path, None


def self_signed_pkcs12(common_name, organization="Threshold", password=None, days=730):
    """A PKCS#12 bundle with a fresh RSA key and a self-signed certificate for document signing."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization),
        ]
    )
    now = datetime.datetime.now(datetime.UTC)
    usage = x509.KeyUsage(
        digital_signature=True,
        content_commitment=True,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=False,
        crl_sign=False,
        encipher_only=False,
        decipher_only=False,
    )
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(usage, critical=True)
        .sign(key, hashes.SHA256())
    )
    encryption = serialization.BestAvailableEncryption(password) if password else serialization.NoEncryption()
    return pkcs12.serialize_key_and_certificates(common_name.encode(), key, cert, None, encryption)
