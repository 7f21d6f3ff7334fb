"""A try's credentials: a key made in memory, enrollment with a one-time token, and renewal.

The private key exists only as a ``cryptography`` key object and, for the moment grpc needs it,
as PEM bytes handed straight to ``grpc.ssl_channel_credentials``. Nothing here writes, logs or
formats it: ``TaskCredentials`` shows no key material, and errors carry only the server's reason.
"""

from __future__ import annotations

import dataclasses
import datetime
import ssl
import time
from typing import List, Optional, Sequence

import grpc
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from taskcert import _time
from taskcert.errors import ConfigurationError, from_rpc_error
from taskcert.ca.v1 import ca_pb2, ca_pb2_grpc


@dataclasses.dataclass(frozen=True)
class TaskCredentials:
    """A certificate of the try, the key it certifies, and the roots to trust.

    ``issued_at`` and ``not_after`` are on the server's clock; ``received_at`` is this process's
    ``time.monotonic()`` when they arrived, so renewal is timed without comparing clocks.
    """

    private_key: ec.EllipticCurvePrivateKey = dataclasses.field(repr=False)
    certificate_chain_der: Sequence[bytes] = dataclasses.field(repr=False)
    trust_bundle_der: Sequence[bytes] = dataclasses.field(repr=False)
    spiffe_id: str
    serial_hex: str
    issued_at: Optional[datetime.datetime]
    not_after: datetime.datetime
    received_at: float = dataclasses.field(repr=False)

    def lifetime_seconds(self) -> float:
        """How long the certificate had left when it was issued, on the server's clock."""
        start = self.issued_at
        if start is None:  # an older server: count from now
            start = datetime.datetime.now(datetime.timezone.utc)
        return max(0.0, (self.not_after - start).total_seconds())

    def channel_credentials(self) -> grpc.ChannelCredentials:
        """Mutual-TLS credentials presenting this certificate and key, trusting the bundle."""
        return grpc.ssl_channel_credentials(
            root_certificates=der_to_pem(self.trust_bundle_der),
            private_key=self.private_key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()),
            certificate_chain=der_to_pem(self.certificate_chain_der))


def der_to_pem(certificates: Sequence[bytes]) -> bytes:
    """Concatenated PEM of DER certificates, in order."""
    return "".join(ssl.DER_cert_to_PEM_cert(der) for der in certificates).encode("ascii")


def new_key() -> ec.EllipticCurvePrivateKey:
    """A fresh EC P-256 key, in memory only."""
    return ec.generate_private_key(ec.SECP256R1())


def csr_der(key: ec.EllipticCurvePrivateKey) -> bytes:
    """A PKCS#10 request signed by ``key``; the server ignores its subject."""
    request = (x509.CertificateSigningRequestBuilder()
               .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "taskcert task")]))
               .sign(key, hashes.SHA256()))
    return request.public_bytes(serialization.Encoding.DER)


def _credentials(key: ec.EllipticCurvePrivateKey, response: ca_pb2.EnrollResponse, received_at: float) -> TaskCredentials:
    return TaskCredentials(
        private_key=key,
        certificate_chain_der=tuple(response.certificate_chain_der),
        trust_bundle_der=tuple(response.trust_bundle_der),
        spiffe_id=response.spiffe_id,
        serial_hex=response.serial_hex,
        issued_at=_time.to_datetime(response.issued_at),
        not_after=_time.to_datetime(response.not_after),
        received_at=received_at)


def load_trust_bundle(pem: bytes) -> bytes:
    """Checks that ``pem`` holds at least one certificate and returns it unchanged."""
    try:
        roots: List[x509.Certificate] = x509.load_pem_x509_certificates(pem) \
            if hasattr(x509, "load_pem_x509_certificates") else [x509.load_pem_x509_certificate(pem)]
    except ValueError:
        raise ConfigurationError("the trust bundle holds no PEM certificate") from None
    if not roots:
        raise ConfigurationError("the trust bundle holds no PEM certificate")
    return pem


def enroll(enrollment_target: str, trust_bundle_pem: bytes, token: str, timeout: float) -> TaskCredentials:
    """Redeems the try's one-time token for a certificate of a new in-memory key.

    Not retried: a token is single-use, and whether a failed attempt consumed it is the server's
    to say. Raises a :class:`taskcert.errors.TaskcertError`.
    """
    key = new_key()
    channel = grpc.secure_channel(enrollment_target, grpc.ssl_channel_credentials(root_certificates=trust_bundle_pem))
    try:
        response = ca_pb2_grpc.EnrollmentStub(channel).Enroll(
            ca_pb2.EnrollRequest(enrollment_token=token, csr_der=csr_der(key)), timeout=timeout)
    except grpc.RpcError as error:
        raise from_rpc_error(error) from None
    finally:
        channel.close()
    return _credentials(key, response, time.monotonic())


def renew(channel: grpc.Channel, timeout: float) -> TaskCredentials:
    """A certificate of a new in-memory key, asked for over the try's current mutual-TLS channel."""
    key = new_key()
    try:
        response = ca_pb2_grpc.RenewalStub(channel).Renew(ca_pb2.RenewRequest(csr_der=csr_der(key)), timeout=timeout)
    except grpc.RpcError as error:
        raise from_rpc_error(error) from None
    return _credentials(key, response, time.monotonic())
