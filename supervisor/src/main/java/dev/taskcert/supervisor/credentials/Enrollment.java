package dev.taskcert.supervisor.credentials;

import com.google.protobuf.ByteString;
import dev.taskcert.pki.crypto.SignatureProvider;
import dev.taskcert.proto.ca.v1.EnrollmentGrpc;
import dev.taskcert.proto.ca.v1.RenewalGrpc;
import dev.taskcert.proto.ca.v1.EnrollRequest;
import dev.taskcert.proto.ca.v1.EnrollResponse;
import dev.taskcert.proto.ca.v1.RenewRequest;
import dev.taskcert.supervisor.SupervisorConfig;
import dev.taskcert.supervisor.TaskcertException;
import dev.taskcert.supervisor.channel.ClientTls;
import io.grpc.Channel;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import java.io.ByteArrayInputStream;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Obtains certificates from the CA: {@link #enroll} redeems an enrollment token over
 * server-authenticated TLS; {@link #renew} asks for a fresh certificate of the caller's own
 * identity over its mutual-TLS channel. Each call uses a fresh key pair generated in memory, by
 * the configuration's signature provider.
 */
public final class Enrollment {
  private Enrollment() {}

  /**
   * Enrolls once.
   *
   * @throws TaskcertException mapped from the server's status (for example {@link
   *     TaskcertException.NotAuthenticated} for a used or expired token)
   */
  public static TaskCredentials enroll(SupervisorConfig config, String enrollmentToken, SecureRandom random) {
    KeyPair keys = TaskKeys.generate(random, config.signatures());
    ManagedChannel channel =
        ClientTls.serverAuthChannel(config.enrollmentTarget(), config.trustRoots(), config.signatures());
    try {
      EnrollResponse response =
          EnrollmentGrpc.newBlockingStub(channel)
              .withDeadlineAfter(config.callTimeout().toMillis(), TimeUnit.MILLISECONDS)
              .enroll(EnrollRequest.newBuilder()
                  .setEnrollmentToken(enrollmentToken)
                  .setCsrDer(ByteString.copyFrom(TaskKeys.csr(keys, config.signatures())))
                  .build());
      return credentialsFrom(keys, response);
    } catch (StatusRuntimeException e) {
      throw TaskcertException.from(e);
    } finally {
      channel.shutdownNow();
    }
  }

  /**
   * Renews over {@code channel}, which must present the current certificate.
   *
   * @throws TaskcertException mapped from the server's status ({@link TaskcertException.TaskNotLive}
   *     once the try ended or was superseded)
   */
  public static TaskCredentials renew(Channel channel, Duration timeout, SecureRandom random) {
    return renew(channel, timeout, random, SupervisorConfig.defaultSignatureProvider());
  }

  /** As {@link #renew(Channel, Duration, SecureRandom)}, the key and CSR made by {@code signatures}' provider. */
  public static TaskCredentials renew(Channel channel, Duration timeout, SecureRandom random,
      SignatureProvider signatures) {
    KeyPair keys = TaskKeys.generate(random, signatures);
    try {
      EnrollResponse response = RenewalGrpc.newBlockingStub(channel)
          .withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS)
          .renew(RenewRequest.newBuilder().setCsrDer(ByteString.copyFrom(TaskKeys.csr(keys, signatures))).build());
      return credentialsFrom(keys, response);
    } catch (StatusRuntimeException e) {
      throw TaskcertException.from(e);
    }
  }

  static TaskCredentials credentialsFrom(KeyPair keys, EnrollResponse response) {
    X509Certificate leaf = decode(response.getCertificateChainDerList().subList(0, 1)).get(0);
    return new TaskCredentials(
        keys.getPrivate(),
        decode(response.getCertificateChainDerList()),
        decode(response.getTrustBundleDerList()),
        response.getSpiffeId(),
        response.getSerialHex(),
        leaf.getNotBefore().toInstant(),
        Instant.ofEpochSecond(response.getNotAfter().getSeconds()),
        response.hasIssuedAt()
            ? Instant.ofEpochSecond(response.getIssuedAt().getSeconds(), response.getIssuedAt().getNanos())
            : null);
  }

  private static List<X509Certificate> decode(List<ByteString> ders) {
    try {
      CertificateFactory factory = CertificateFactory.getInstance("X.509");
      List<X509Certificate> certificates = new ArrayList<>();
      for (ByteString der : ders) {
        certificates.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(der.toByteArray())));
      }
      return certificates;
    } catch (CertificateException e) {
      throw new IllegalStateException("the CA returned a certificate that cannot be parsed", e);
    }
  }
}
