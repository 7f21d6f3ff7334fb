package dev.taskcert.server.attack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskcert.pki.ca.KeyAlgorithm;
import dev.taskcert.pki.issuance.CertificateBuilder;
import dev.taskcert.proto.execution.v1.GetVariableRequest;
import dev.taskcert.proto.execution.v1.SetXComRequest;
import dev.taskcert.proto.execution.v1.VariablesGrpc;
import dev.taskcert.proto.execution.v1.XComsGrpc;
import dev.taskcert.dev.DemoData;
import dev.taskcert.server.testing.DatabaseFingerprint;
import dev.taskcert.server.testing.ForgedLeaves;
import dev.taskcert.server.testing.Statuses;
import dev.taskcert.server.testing.TestEnvironment;
import dev.taskcert.server.testing.TestTask;
import dev.taskcert.supervisor.channel.ClientTls;
import dev.taskcert.supervisor.credentials.TaskCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Forged and malformed client certificates, each carrying the SPIFFE ID of a real, running task
 * try: none may call, and nothing may change in the database. Most are signed by the server's own
 * intermediate (the strongest forgery: only the certificate's contents are wrong).
 */
class ForgedCertificateTest {
  @RegisterExtension
  static final TestEnvironment env = new TestEnvironment();
  private static TestTask victim;
  private final SecureRandom random = new SecureRandom();

  @BeforeAll
  static void start() throws Exception {
    victim = env.startTask(DemoData.ANALYTICS);
  }

  @AfterAll
  static void stop() throws Exception {
    victim.close();
  }

  /** Tries to write an XCom and read a variable as the victim with the forged certificate. */
  private void assertRefused(X509Certificate leaf, KeyPair keys, Status.Code expected) throws Exception {
    assertRefused(leaf, keys, expected, null);
  }

  /**
   * As {@link #assertRefused(X509Certificate, KeyPair, Status.Code)}, refused at the handshake with
   * the TLS {@code alert} that tells the client why (as BoringSSL names it, e.g. {@code unknown_ca}).
   */
  private void assertRefused(X509Certificate leaf, KeyPair keys, Status.Code expected, String alert) throws Exception {
    TaskCredentials forged = ForgedLeaves.credentials(env, leaf, keys, victim.spiffeId());
    String before = DatabaseFingerprint.of(env);
    ManagedChannel channel = ClientTls.mutualTlsChannel(env.dev().executionTarget(), forged);
    try {
      StatusRuntimeException write = assertThrows(StatusRuntimeException.class, () ->
          XComsGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
              .setXCom(SetXComRequest.newBuilder().setKey("forged").setValueJson("1").build()));
      assertEquals(expected, write.getStatus().getCode(), write.toString());
      if (alert != null) {
        assertTrue(Statuses.causeMessages(write).contains("alert_" + alert),
            "the client is told " + alert + ": " + Statuses.causeMessages(write));
      }
      StatusRuntimeException read = assertThrows(StatusRuntimeException.class, () ->
          VariablesGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
              .getVariable(GetVariableRequest.newBuilder().setKey("analytics_bucket").build()));
      assertEquals(expected, read.getStatus().getCode(), read.toString());
    } finally {
      channel.shutdownNow();
    }
    assertEquals(before, DatabaseFingerprint.of(env));
  }

  /** A leaf for the victim's identity signed by the real intermediate, shaped by {@code tweak}. */
  private X509Certificate leaf(KeyPair keys, Instant notBefore, Instant notAfter,
      Function<CertificateBuilder, CertificateBuilder> tweak) {
    return leaf(keys, notBefore, notAfter, tweak, victim.spiffeId());
  }

  private X509Certificate leaf(KeyPair keys, Instant notBefore, Instant notAfter,
      Function<CertificateBuilder, CertificateBuilder> tweak, String... uris) {
    return ForgedLeaves.signedByIntermediate(env, keys, notBefore, notAfter, tweak, uris);
  }

  private static CertificateBuilder clientLeaf(CertificateBuilder builder) {
    return ForgedLeaves.clientLeaf(builder);
  }

  @Test
  void refusesSelfSignedCertificateWithACopiedSan() throws Exception {
    KeyPair keys = KeyAlgorithm.EC_P256.generate(random);
    X509Certificate forged = clientLeaf(CertificateBuilder.selfSigned(new X500Name("O=taskcert,OU=task"),
        keys.getPublic(), keys.getPrivate(), Instant.now().minusSeconds(60), Instant.now().plusSeconds(600), random)
        .extension(Extension.subjectAlternativeName, false,
            new GeneralNames(new GeneralName(GeneralName.uniformResourceIdentifier, victim.spiffeId()))))
        .sign();
    assertRefused(forged, keys, Status.Code.UNAVAILABLE, "unknown_ca");
  }

  @Test
  void refusesLeafWithoutClientAuthUsage() throws Exception {
    KeyPair keys = KeyAlgorithm.EC_P256.generate(random);
    X509Certificate serverOnly = leaf(keys, Instant.now().minusSeconds(60), Instant.now().plusSeconds(600),
        builder -> builder.extension(Extension.basicConstraints, true, new BasicConstraints(false))
            .extension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth)));
    assertRefused(serverOnly, keys, Status.Code.UNAVAILABLE, "unsupported_certificate");
  }

  @Test
  void refusesLeafThatClaimsToBeACa() throws Exception {
    KeyPair keys = KeyAlgorithm.EC_P256.generate(random);
    X509Certificate caLeaf = leaf(keys, Instant.now().minusSeconds(60), Instant.now().plusSeconds(600),
        builder -> builder.extension(Extension.basicConstraints, true, new BasicConstraints(0))
            .extension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.digitalSignature))
            .extension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_clientAuth)));
    // PKIX lets a CA certificate end a chain; the identity layer must not take it as a workload.
    assertRefused(caLeaf, keys, Status.Code.UNAUTHENTICATED);
  }

  @Test
  void refusesExpiredCertificateAtTheHandshake() throws Exception {
    KeyPair keys = KeyAlgorithm.EC_P256.generate(random);
    X509Certificate expired = leaf(keys, Instant.now().minus(Duration.ofHours(2)), Instant.now().minus(Duration.ofHours(1)),
        ForgedCertificateTest::clientLeaf);
    assertRefused(expired, keys, Status.Code.UNAVAILABLE, "certificate_expired");
  }

  @Test
  void refusesCertificateNotYetValid() throws Exception {
    KeyPair keys = KeyAlgorithm.EC_P256.generate(random);
    X509Certificate future = leaf(keys, Instant.now().plus(Duration.ofHours(1)), Instant.now().plus(Duration.ofHours(2)),
        ForgedCertificateTest::clientLeaf);
    // BoringSSL tells a certificate outside its validity window the same way on either side of it.
    assertRefused(future, keys, Status.Code.UNAVAILABLE, "certificate_expired");
  }

  @Test
  void refusesValidChainWithTwoSpiffeIds() throws Exception {
    KeyPair keys = KeyAlgorithm.EC_P256.generate(random);
    X509Certificate twoIds = leaf(keys, Instant.now().minusSeconds(60), Instant.now().plusSeconds(600),
        ForgedCertificateTest::clientLeaf, victim.spiffeId(), "spiffe://taskcert.local/admin/root");
    assertRefused(twoIds, keys, Status.Code.UNAUTHENTICATED);
  }

  @Test
  void refusesValidChainWithANonCanonicalSpiffeId() throws Exception {
    KeyPair keys = KeyAlgorithm.EC_P256.generate(random);
    String upperHex = victim.spiffeId().replace(".3a", ".3A");
    X509Certificate sloppy = leaf(keys, Instant.now().minusSeconds(60), Instant.now().plusSeconds(600),
        ForgedCertificateTest::clientLeaf, upperHex);
    assertRefused(sloppy, keys, Status.Code.UNAUTHENTICATED);
  }

  /** The intermediate's URI name constraint permits only our trust domain: refused by PKIX, in the handshake. */
  @Test
  void refusesALeafOfAnotherTrustDomainAtTheHandshake() throws Exception {
    KeyPair keys = KeyAlgorithm.EC_P256.generate(random);
    String otherDomain = victim.spiffeId().replace("spiffe://taskcert.local/", "spiffe://other.example/");
    X509Certificate foreign = leaf(keys, Instant.now().minusSeconds(60), Instant.now().plusSeconds(600),
        ForgedCertificateTest::clientLeaf, otherDomain);
    assertRefused(foreign, keys, Status.Code.UNAVAILABLE);
  }
}
