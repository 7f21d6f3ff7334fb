package dev.taskcert.server.enrollment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.taskcert.pki.identity.SpiffeIdCodec;
import dev.taskcert.pki.identity.TaskIdentity;
import dev.taskcert.proto.admin.v1.RevokeCertificatesRequest;
import dev.taskcert.proto.admin.v1.TaskTryRef;
import dev.taskcert.proto.ca.v1.EnrollmentGrpc;
import dev.taskcert.proto.ca.v1.RenewalGrpc;
import dev.taskcert.proto.ca.v1.EnrollRequest;
import dev.taskcert.proto.ca.v1.EnrollResponse;
import dev.taskcert.proto.ca.v1.GetTrustBundleRequest;
import dev.taskcert.proto.ca.v1.RenewRequest;
import dev.taskcert.dev.DemoData;
import dev.taskcert.dev.DevEnvironment;
import dev.taskcert.server.testing.DatabaseDump;
import dev.taskcert.server.testing.DatabaseFingerprint;
import dev.taskcert.server.testing.RefusedEnrollments;
import dev.taskcert.server.testing.Statuses;
import dev.taskcert.server.testing.TestEnvironment;
import dev.taskcert.supervisor.channel.ClientTls;
import dev.taskcert.supervisor.credentials.TaskKeys;
import dev.taskcert.supervisor.TaskSession;
import dev.taskcert.supervisor.client.TerminalState;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.asn1.DERBitString;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.DERSet;
import org.bouncycastle.asn1.pkcs.CertificationRequest;
import org.bouncycastle.asn1.pkcs.CertificationRequestInfo;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.ExtensionsGenerator;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class EnrollmentTest {
  private static final String TOKEN_REFUSED = "enrollment token is invalid, already used, or expired";
  @RegisterExtension
  static final TestEnvironment env = new TestEnvironment();
  private final SecureRandom random = new SecureRandom();
  private ManagedChannel enrollChannel;
  private EnrollmentGrpc.EnrollmentBlockingStub ca;


  @BeforeEach
  void openChannel() throws Exception {
    enrollChannel = ClientTls.serverAuthChannel(env.dev().enrollmentTarget(), env.supervisorConfig().trustRoots());
    ca = EnrollmentGrpc.newBlockingStub(enrollChannel).withDeadlineAfter(20, TimeUnit.SECONDS);
  }

  @AfterEach
  void closeChannel() {
    enrollChannel.shutdownNow();
  }

  private EnrollResponse enroll(String token, byte[] csr) {
    return ca.enroll(EnrollRequest.newBuilder().setEnrollmentToken(token).setCsrDer(ByteString.copyFrom(csr)).build());
  }

  private byte[] freshCsr() {
    return TaskKeys.csr(TaskKeys.generate(random));
  }

  private static Status.Code codeOf(Runnable call) {
    return assertThrows(StatusRuntimeException.class, call::run).getStatus().getCode();
  }

  @Test
  void issuesCertificateForTheQueuedTryAndRecordsIt() throws Exception {
    QueuedTry queued = env.queue(DemoData.ANALYTICS);
    EnrollResponse response = enroll(queued.enrollmentToken(), freshCsr());
    assertEquals(queued.spiffeId(), response.getSpiffeId());
    assertEquals(2, response.getCertificateChainDerCount());
    assertEquals(1, response.getTrustBundleDerCount());
    assertEquals(1, env.count("select count(*) from issued_certificate where serial_hex = '"
        + response.getSerialHex() + "' and spiffe_id = '" + queued.spiffeId() + "'"));
    assertEquals("issue", env.audit(1).get(0).kind());
  }

  @Test
  void takesIdentityFromTheTaskRowNotFromTheCsr() throws Exception {
    QueuedTry analytics = env.queue(DemoData.ANALYTICS);
    String payments = new SpiffeIdCodec(DevEnvironment.TRUST_DOMAIN).encode(env.queue(DemoData.PAYMENTS).identity());
    KeyPair keys = TaskKeys.generate(random);
    ExtensionsGenerator extensions = new ExtensionsGenerator();
    extensions.addExtension(Extension.subjectAlternativeName, false,
        new GeneralNames(new GeneralName(GeneralName.uniformResourceIdentifier, payments)));
    byte[] csr = new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=" + "payments"), keys.getPublic())
        .addAttribute(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest, extensions.generate())
        .build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate()))
        .getEncoded();
    EnrollResponse response = enroll(analytics.enrollmentToken(), csr);
    X509Certificate leaf = (X509Certificate) CertificateFactory.getInstance("X.509")
        .generateCertificate(new ByteArrayInputStream(response.getCertificateChainDer(0).toByteArray()));
    assertEquals(1, leaf.getSubjectAlternativeNames().size());
    assertEquals(analytics.spiffeId(), leaf.getSubjectAlternativeNames().iterator().next().get(1));
    assertEquals("OU=task,O=taskcert", leaf.getSubjectX500Principal().getName(), "the CSR subject is ignored");
  }

  /** Runs {@code call}, which must fail with {@code expected} and leave the whole database as it was. */
  private void assertRefused(Status.Code expected, Runnable call) throws Exception {
    String before = DatabaseFingerprint.of(env);
    assertEquals(expected, codeOf(call));
    assertEquals(before, DatabaseFingerprint.of(env));
  }

  @Test
  void refusesReusedToken() throws Exception {
    QueuedTry queued = env.queue(DemoData.PAYMENTS);
    enroll(queued.enrollmentToken(), freshCsr());
    long audited = RefusedEnrollments.counted(env);
    assertRefused(Status.Code.UNAUTHENTICATED, () -> enroll(queued.enrollmentToken(), freshCsr()));
    assertEquals(audited + 1, RefusedEnrollments.counted(env), "the refusal is audited");
  }

  @Test
  void refusesUnknownAndMalformedTokens() throws Exception {
    env.queue(DemoData.ANALYTICS); // a live token exists; none of these is it
    assertRefused(Status.Code.UNAUTHENTICATED, () -> enroll("A".repeat(EnrollmentTokens.TOKEN_LENGTH), freshCsr()));
    assertRefused(Status.Code.UNAUTHENTICATED, () -> enroll("not a token", freshCsr()));
    assertRefused(Status.Code.UNAUTHENTICATED, () -> enroll("", freshCsr()));
  }

  @Test
  void refusesATokenExpiredByTheDatabaseClockEvenWhenThisServersClockLags() throws Exception {
    // Minted while this server's clock ran two minutes behind, with one minute to live: by the
    // database's clock (and the real one) it expired a minute ago, by this server's it has not.
    env.clock.advance(Duration.ofMinutes(-2));
    try {
      // Under the same lag, a token minted with three minutes to live has one left, and enrolls.
      QueuedTry unexpired = env.dev().taskQueue()
          .queue(DemoData.ANALYTICS.dagId(), DemoData.RUN_ID, "lagging_clock_unexpired", -1, 3, Duration.ofMinutes(3));
      assertEquals(unexpired.spiffeId(), enroll(unexpired.enrollmentToken(), freshCsr()).getSpiffeId());

      QueuedTry queued = env.dev().taskQueue()
          .queue(DemoData.ANALYTICS.dagId(), DemoData.RUN_ID, DemoData.ANALYTICS.taskId(), -1, 3, Duration.ofMinutes(1));
      Status status = Statuses.refusedWithoutChange(env, Status.Code.UNAUTHENTICATED,
          () -> enroll(queued.enrollmentToken(), freshCsr()));
      assertEquals(TOKEN_REFUSED, status.getDescription());
      assertEquals(0, env.count("select count(*) from enrollment_token where used_at is not null and token_hash = "
          + "sha256(convert_to('" + queued.enrollmentToken() + "', 'UTF8'))"), "the refused token was not consumed");
    } finally {
      env.clock.advance(Duration.ofMinutes(2));
    }
  }

  @Test
  void aVoidedTokenIsRefusedByAReplicaWhoseClockLags() throws Exception {
    QueuedTry queued = env.queue(DemoData.PAYMENTS);
    QueuedTry kept = env.dev().taskQueue()
        .queue(DemoData.PAYMENTS.dagId(), DemoData.RUN_ID, "lagging_clock_not_voided", -1, 1, null);
    TaskIdentity identity = queued.identity();
    env.admin().revokeCertificates(RevokeCertificatesRequest.newBuilder().setReason("test").setTaskTry(
        TaskTryRef.newBuilder().setDagId(identity.dagId()).setRunId(identity.runId()).setTaskId(identity.taskId())
            .setMapIndex(identity.mapIndex()).setTryNumber(identity.tryNumber())).build());
    // The revoking server voided the token at its time; this one runs ten minutes behind.
    env.clock.advance(Duration.ofMinutes(-10));
    try {
      // Under the same lag, a token minted alongside it but not voided enrolls.
      assertEquals(kept.spiffeId(), enroll(kept.enrollmentToken(), freshCsr()).getSpiffeId());

      Status status = Statuses.refusedWithoutChange(env, Status.Code.UNAUTHENTICATED,
          () -> enroll(queued.enrollmentToken(), freshCsr()));
      assertEquals(TOKEN_REFUSED, status.getDescription());
    } finally {
      env.clock.advance(Duration.ofMinutes(10));
    }
    Status status = Statuses.refusedWithoutChange(env, Status.Code.UNAUTHENTICATED,
        () -> enroll(queued.enrollmentToken(), freshCsr()));
    assertEquals(TOKEN_REFUSED, status.getDescription(), "nor is it redeemable at the right time");
  }

  @Test
  void anUnknownTokenIsRefusedBeforeTheCsrIsLookedAt() throws Exception {
    env.queue(DemoData.ANALYTICS); // a live token exists; this is not it
    // A 16384-bit RSA key with a random signature: seconds of CPU to verify, and invalid anyway.
    byte[] hugeCsr = hugeRsaCsr(16384);
    Status status = Statuses.refusedWithoutChange(env, Status.Code.UNAUTHENTICATED,
        () -> enroll("A".repeat(EnrollmentTokens.TOKEN_LENGTH), hugeCsr));
    assertEquals(TOKEN_REFUSED, status.getDescription(), "refused for the token, the CSR never decoded");
  }

  @Test
  void anRsaKeyAboveTheLargestSizeIsRefusedAndLeavesTheTokenUsable() throws Exception {
    QueuedTry queued = env.queue(DemoData.ANALYTICS);
    Status status = Statuses.refusedWithoutChange(env, Status.Code.INVALID_ARGUMENT,
        () -> enroll(queued.enrollmentToken(), hugeRsaCsr(16384)));
    assertEquals("CSR RSA key is 16384 bits; 3072 to 4096 required", status.getDescription());
    assertEquals(queued.spiffeId(), enroll(queued.enrollmentToken(), freshCsr()).getSpiffeId());
  }

  /** A CSR for an RSA key of {@code bits} bits whose signature is random bytes. */
  private static byte[] hugeRsaCsr(int bits) throws Exception {
    SecureRandom random = new SecureRandom();
    BigInteger modulus = new BigInteger(bits, random).setBit(bits - 1).setBit(0);
    SubjectPublicKeyInfo key = new SubjectPublicKeyInfo(
        new AlgorithmIdentifier(PKCSObjectIdentifiers.rsaEncryption, DERNull.INSTANCE),
        new org.bouncycastle.asn1.pkcs.RSAPublicKey(modulus, BigInteger.valueOf(65537)));
    byte[] signature = new byte[bits / 8];
    random.nextBytes(signature);
    return new CertificationRequest(
        new CertificationRequestInfo(new X500Name("CN=huge"), key, new DERSet()),
        new AlgorithmIdentifier(PKCSObjectIdentifiers.sha256WithRSAEncryption, DERNull.INSTANCE),
        new DERBitString(signature)).getEncoded();
  }

  @Test
  void storesTokensOnlyAsTheirHash() throws Exception {
    QueuedTry queued = env.queue(DemoData.PAYMENTS);
    String token = queued.enrollmentToken();
    assertEquals(1, env.count("select count(*) from enrollment_token where token_hash = sha256(convert_to('"
        + token + "', 'UTF8'))"), "the SHA-256 of the token is stored");
    String dump = DatabaseDump.of(env);
    List<String> forms = new java.util.ArrayList<>(DatabaseDump.encodings(token));
    forms.add(java.util.HexFormat.of().formatHex(java.util.Base64.getUrlDecoder().decode(token)));
    for (String form : forms) {
      assertFalse(dump.contains(form), "a database dump reveals the token as " + form);
    }
    assertEquals(queued.spiffeId(), enroll(token, freshCsr()).getSpiffeId());
  }

  @Test
  void badCsrLeavesTheTokenUsable() throws Exception {
    QueuedTry queued = env.queue(DemoData.ANALYTICS);
    assertRefused(Status.Code.INVALID_ARGUMENT, () -> enroll(queued.enrollmentToken(), new byte[] {1, 2, 3}));
    assertEquals(queued.spiffeId(), enroll(queued.enrollmentToken(), freshCsr()).getSpiffeId());
  }

  @Test
  void tokenOfASupersededTryIsUseless() throws Exception {
    QueuedTry first = env.queue(DemoData.PAYMENTS);
    QueuedTry second = env.queue(DemoData.PAYMENTS);
    assertRefused(Status.Code.FAILED_PRECONDITION, () -> enroll(first.enrollmentToken(), freshCsr()));
    assertEquals(second.spiffeId(), enroll(second.enrollmentToken(), freshCsr()).getSpiffeId());
  }

  @Test
  void concurrentRedemptionsOfOneTokenHaveExactlyOneWinner() throws Exception {
    QueuedTry queued = env.queue(DemoData.ANALYTICS);
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<Status.Code>> results = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        byte[] csr = freshCsr();
        Callable<Status.Code> attempt = () -> {
          try {
            enroll(queued.enrollmentToken(), csr);
            return Status.Code.OK;
          } catch (StatusRuntimeException e) {
            return e.getStatus().getCode();
          }
        };
        results.add(pool.submit(attempt));
      }
      int ok = 0;
      for (Future<Status.Code> result : results) {
        Status.Code code = result.get(30, TimeUnit.SECONDS);
        if (code == Status.Code.OK) {
          ok++;
        } else {
          assertEquals(Status.Code.UNAUTHENTICATED, code);
        }
      }
      assertEquals(1, ok);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void renewsForALiveTryAndRefusesOnceItEnds() throws Exception {
    try (TaskSession session = env.startedSession(DemoData.ANALYTICS)) {
      ManagedChannel mtls = ClientTls.mutualTlsChannel(env.dev().executionTarget(), session.credentials());
      try {
        RenewalGrpc.RenewalBlockingStub renewing =
            RenewalGrpc.newBlockingStub(mtls).withDeadlineAfter(10, TimeUnit.SECONDS);
        EnrollResponse renewed =
            renewing.renew(RenewRequest.newBuilder().setCsrDer(ByteString.copyFrom(freshCsr())).build());
        assertEquals(session.credentials().spiffeId(), renewed.getSpiffeId());
        assertNotEquals(session.credentials().serialHex(), renewed.getSerialHex());

        session.client().finishTask(TerminalState.SUCCESS);
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () ->
            renewing.renew(RenewRequest.newBuilder().setCsrDer(ByteString.copyFrom(freshCsr())).build()));
        assertEquals(Status.Code.FAILED_PRECONDITION, e.getStatus().getCode());
        assertTrue(e.getStatus().getDescription().contains("SUCCESS"), e.getStatus().getDescription());
      } finally {
        mtls.shutdownNow();
      }
    }
  }

  @Test
  void renewalIsNotServedOnTheEnrollmentPort() {
    assertEquals(Status.Code.UNIMPLEMENTED, codeOf(() ->
        RenewalGrpc.newBlockingStub(enrollChannel).withDeadlineAfter(20, TimeUnit.SECONDS)
            .renew(RenewRequest.newBuilder().setCsrDer(ByteString.copyFrom(freshCsr())).build())));
  }

  @Test
  void servesTheTrustBundle() throws Exception {
    var bundle = ca.getTrustBundle(GetTrustBundleRequest.getDefaultInstance());
    assertEquals(DevEnvironment.TRUST_DOMAIN.name(), bundle.getTrustDomain());
    assertEquals(
        ByteString.copyFrom(env.dev().ca().loadTrustBundle().roots().get(0).getEncoded()),
        bundle.getRootCertificatesDer(0));
  }
}
