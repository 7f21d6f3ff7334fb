package dev.taskcert.server.grpc;

import dev.taskcert.server.grpc.HandshakeRefusals.Reason;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.OpenSslCertificateException;
import io.netty.internal.tcnative.CertificateVerifier;
import java.security.cert.CertificateException;

/**
 * The TLS alert a refused client chain ends its handshake with, by the reason it was refused, so
 * the client is told more than BoringSSL's default for a failed verification ({@code
 * certificate_unknown} or {@code internal_error}): {@code unknown_ca} for a chain that does not
 * lead to a trusted root (an intermediate left out included), {@code certificate_expired} (also,
 * BoringSSL's choice, for one not valid yet), {@code unsupported_certificate} for a leaf not meant for client authentication, {@code
 * certificate_revoked} for a distrusted intermediate, {@code bad_certificate} otherwise. The
 * alert says no more than the client can find out from its own certificates.
 */
final class RefusalAlerts {
  private RefusalAlerts() {}

  /**
   * {@code failure}, carrying the verification error BoringSSL turns into the alert for {@code
   * reason}; as it is when the native library is not in use (the JDK's engine sends its own).
   */
  static CertificateException withAlert(Reason reason, CertificateException failure) {
    if (!OpenSsl.isAvailable()) {
      return failure;
    }
    OpenSslCertificateException alerting = new OpenSslCertificateException(reason.text, errorCode(reason));
    alerting.initCause(failure);
    return alerting;
  }

  /** The X.509 verification error BoringSSL maps to the alert for {@code reason}. */
  static int errorCode(Reason reason) {
    return switch (reason) {
      case NO_INTERMEDIATE, UNTRUSTED_ISSUER -> CertificateVerifier.X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY;
      case EXPIRED -> CertificateVerifier.X509_V_ERR_CERT_HAS_EXPIRED;
      case NOT_YET_VALID -> CertificateVerifier.X509_V_ERR_CERT_NOT_YET_VALID;
      case NO_CLIENT_AUTH -> CertificateVerifier.X509_V_ERR_INVALID_PURPOSE;
      case DISTRUSTED_INTERMEDIATE -> CertificateVerifier.X509_V_ERR_CERT_REVOKED;
      case EMPTY_CHAIN, OTHER -> CertificateVerifier.X509_V_ERR_CERT_REJECTED;
    };
  }
}
