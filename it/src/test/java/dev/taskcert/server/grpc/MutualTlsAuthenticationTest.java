package dev.taskcert.server.grpc;

import static dev.taskcert.server.testing.Statuses.refusedWithoutChange;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskcert.pki.ca.CaHierarchy;
import dev.taskcert.pki.ca.KeyAlgorithm;
import dev.taskcert.pki.issuance.CertificateIssuer;
import dev.taskcert.pki.issuance.IssuancePolicy;
import dev.taskcert.pki.issuance.IssuedCertificate;
import dev.taskcert.pki.identity.SpiffeIdCodec;
import dev.taskcert.proto.execution.v1.GetVariableRequest;
import dev.taskcert.proto.execution.v1.VariablesGrpc;
import dev.taskcert.server.audit.AuditEventRow;
import dev.taskcert.dev.DemoData;
import dev.taskcert.dev.DevEnvironment;
import dev.taskcert.server.enrollment.QueuedTry;
import dev.taskcert.server.testing.TestEnvironment;
import dev.taskcert.supervisor.channel.ClientTls;
import dev.taskcert.supervisor.credentials.TaskCredentials;
import dev.taskcert.supervisor.TaskSession;
import dev.taskcert.supervisor.TaskcertException;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.netty.handler.ssl.OpenSsl;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class MutualTlsAuthenticationTest {
  @RegisterExtension
  static final TestEnvironment env = new TestEnvironment();


  @Test
  void servesTlsWithBoringSsl() {
    assertTrue(OpenSsl.isAvailable(), "netty-tcnative must load: " + OpenSsl.unavailabilityCause());
  }

  @Test
  void refusesConnectionWithoutClientCertificate() throws Exception {
    ManagedChannel channel =
        ClientTls.serverAuthChannel(env.dev().executionTarget(), env.supervisorConfig().trustRoots());
    try {
      refusedWithoutChange(env, Status.Code.UNAVAILABLE, () ->
          VariablesGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
              .getVariable(GetVariableRequest.newBuilder().setKey(DemoData.GLOBAL_VARIABLE).build()));
    } finally {
      channel.shutdownNow();
    }
  }

  @Test
  void refusesCertificateFromForeignCa() throws Exception {
    try (TaskSession genuine = env.startedSession(DemoData.ANALYTICS)) {
      // A CA the server does not trust issues a certificate with the very same identity.
      SecureRandom random = new SecureRandom();
      CaHierarchy foreign = CaHierarchy.create(DevEnvironment.TRUST_DOMAIN, KeyAlgorithm.EC_P256, env.clock.instant(), random);
      SpiffeIdCodec codec = new SpiffeIdCodec(DevEnvironment.TRUST_DOMAIN);
      KeyPair keys = KeyAlgorithm.EC_P256.generate(random);
      IssuedCertificate forged = new CertificateIssuer(foreign.intermediate(), codec, IssuancePolicy.DEFAULT, random)
          .issueClient(keys.getPublic(), codec.parse(genuine.credentials().spiffeId()), env.clock.instant());
      TaskCredentials credentials = new TaskCredentials(keys.getPrivate(), forged.chain(),
          env.supervisorConfig().trustRoots(), forged.spiffeId(), forged.serialHex(), forged.notAfter());
      ManagedChannel channel = ClientTls.mutualTlsChannel(env.dev().executionTarget(), credentials);
      try {
        refusedWithoutChange(env, Status.Code.UNAVAILABLE, () ->
            VariablesGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                .getVariable(GetVariableRequest.newBuilder().setKey(DemoData.ANALYTICS.ownVariable()).build()));
      } finally {
        channel.shutdownNow();
      }
      // The genuine certificate for the same try still works.
      assertEquals("s3://analytics-raw-events", genuine.client().getVariable(DemoData.ANALYTICS.ownVariable()).value());
    }
  }

  @Test
  void refusesExpiredCertificateOnAnOpenConnection() throws Exception {
    try (TaskSession session = env.startedSession(DemoData.PAYMENTS)) {
      session.client().getVariable(DemoData.GLOBAL_VARIABLE);
      env.clock.advance(Duration.ofMinutes(11));
      try {
        TaskcertException e = refusedWithoutChange(env, TaskcertException.NotAuthenticated.class,
            Status.Code.UNAUTHENTICATED, () -> session.client().getVariable(DemoData.GLOBAL_VARIABLE));
        assertTrue(e.getMessage().contains("expired"), e.getMessage());
        AuditEventRow audit = env.audit(1).get(0);
        assertEquals("unauthenticated", audit.kind());
        assertEquals(session.credentials().spiffeId(), audit.principal());
        assertEquals("taskcert.execution.v1.Variables/GetVariable", audit.rpc());
      } finally {
        env.clock.advance(Duration.ofMinutes(-11));
      }
    }
  }

  @Test
  void enrollmentPortDoesNotServeTheExecutionApi() throws Exception {
    QueuedTry queued = env.queue(DemoData.ANALYTICS);
    ManagedChannel channel =
        ClientTls.serverAuthChannel(env.dev().enrollmentTarget(), env.supervisorConfig().trustRoots());
    try {
      refusedWithoutChange(env, Status.Code.UNIMPLEMENTED, () ->
          VariablesGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
              .getVariable(GetVariableRequest.newBuilder().setKey(DemoData.GLOBAL_VARIABLE).build()));
    } finally {
      channel.shutdownNow();
    }
    assertTrue(queued.enrollmentToken().length() == 43);
  }
}
