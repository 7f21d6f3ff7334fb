package dev.taskcert.server.pki;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskcert.pki.ca.CertificateFingerprint;
import dev.taskcert.pki.ca.IntermediateCa;
import dev.taskcert.pki.ca.KeyAlgorithm;
import dev.taskcert.pki.issuance.CertificateBuilder;
import dev.taskcert.proto.admin.v1.AdminGrpc;
import dev.taskcert.proto.admin.v1.ListAuditEventsRequest;
import dev.taskcert.server.testing.Await;
import dev.taskcert.server.testing.CaCommands;
import dev.taskcert.server.testing.ForgedLeaves;
import dev.taskcert.server.testing.Statuses;
import dev.taskcert.server.testing.TestEnvironment;
import dev.taskcert.supervisor.channel.ClientTls;
import dev.taskcert.supervisor.credentials.TaskCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.junit.jupiter.api.Test;

/**
 * The key of an intermediate leaks. Rotating the intermediate is not enough: the old one still
 * chains to a trusted root, so an admin certificate forged with its key (valid for years) passes.
 * {@code taskcert-ca distrust-intermediate} closes that without a root rollover: once the server has
 * reloaded, the forged chain is refused on new connections (at the handshake) and on calls of a
 * connection opened before, while certificates of the new intermediate keep working.
 */
class DistrustIntermediateTest {
  private static final SecureRandom RANDOM = new SecureRandom();

  private static void listAudit(ManagedChannel channel) {
    AdminGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
        .listAuditEvents(ListAuditEventsRequest.newBuilder().setPageSize(1).build());
  }

  @Test
  void anAdminCertificateForgedWithADistrustedIntermediatesKeyIsRefused() throws Exception {
    try (TestEnvironment env = new TestEnvironment(builder -> builder.caReloadInterval(Duration.ofMillis(200)))
        .started()) {
      String caDir = env.dev().config().caDirectory().toString();
      IntermediateCa stolen = env.instance(CaState.class).current().intermediate();
      CaCommands.run("rotate-intermediate", "--ca-dir", caDir, "--no-passphrase");
      Await.until("the server uses the new intermediate", Duration.ofSeconds(20),
          () -> !env.instance(CaState.class).current().intermediate().certificate().equals(stolen.certificate()));

      // Forged with the stolen key after the rotation, valid to 2036, for an admin identity.
      KeyPair keys = KeyAlgorithm.EC_P256.generate(RANDOM);
      String spiffeId = "spiffe://taskcert.local/admin/intruder";
      X509Certificate forged = ForgedLeaves.clientLeaf(CertificateBuilder.issuedBy(stolen.certificate(),
              stolen.privateKey(), new X500Name("O=taskcert,OU=admin"), keys.getPublic(),
              Instant.now().minusSeconds(60), Instant.parse("2036-01-01T00:00:00Z"), RANDOM))
          .extension(Extension.subjectAlternativeName, false,
              new GeneralNames(new GeneralName(GeneralName.uniformResourceIdentifier, spiffeId)))
          .sign();
      TaskCredentials intruder = new TaskCredentials(keys.getPrivate(), List.of(forged, stolen.certificate()),
          env.supervisorConfig().trustRoots(), spiffeId, forged.getSerialNumber().toString(16),
          forged.getNotAfter().toInstant());

      ManagedChannel openBefore = ClientTls.mutualTlsChannel(env.dev().executionTarget(), intruder);
      try {
        listAudit(openBefore); // the finding: rotation alone leaves the forged certificate working

        CaCommands.run("distrust-intermediate", "--ca-dir", caDir, CertificateFingerprint.of(stolen.certificate()).hex());
        Await.until("the server distrusts the old intermediate", Duration.ofSeconds(20),
            () -> env.instance(CaState.class).current().distrusted().contains(stolen.certificate()));

        Status onOpenConnection = Statuses.refusedWithoutChange(env, Status.Code.UNAUTHENTICATED, () -> listAudit(openBefore));
        assertTrue(onOpenConnection.getDescription().contains("which the operator distrusted"), onOpenConnection.toString());
        ManagedChannel fresh = ClientTls.mutualTlsChannel(env.dev().executionTarget(), intruder);
        try {
          Statuses.refusedWithoutChange(env, Status.Code.UNAVAILABLE, () -> listAudit(fresh));
        } finally {
          fresh.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
        }
      } finally {
        openBefore.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
      }
      // Certificates of the new intermediate are not affected.
      assertEquals(1, env.admin().listAuditEvents(ListAuditEventsRequest.newBuilder().setPageSize(1).build())
          .getEventsCount());
    }
  }
}
