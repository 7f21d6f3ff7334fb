package dev.taskcert.supervisor.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.taskcert.proto.execution.v1.HeartbeatRequest;
import dev.taskcert.proto.execution.v1.TaskInstancesGrpc;
import dev.taskcert.supervisor.TaskcertException;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.ssl.NotSslRecordException;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.UnknownHostException;
import java.nio.channels.UnresolvedAddressException;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;

/**
 * Each way a call fails before the server answers, as gRPC reports it (the cause chains are those
 * seen with netty-tcnative and with the JDK's TLS), says in one line what went wrong and where.
 */
class ConnectionFailuresTest {
  private static final String TARGET = "127.0.0.1:7443";
  private static final ConnectionFailures MUTUAL =
      new ConnectionFailures(TARGET, "--trust-bundle bundle.pem", "--cert ops.pem");
  private static final ConnectionFailures SERVER_ONLY = new ConnectionFailures(TARGET, "--trust-bundle bundle.pem", null);

  private static StatusRuntimeException unavailable(String description, Throwable cause) {
    return Status.UNAVAILABLE.withDescription(description).withCause(cause).asRuntimeException();
  }

  private static Throwable chain(Throwable outer, Throwable... inner) {
    Throwable last = outer;
    for (Throwable next : inner) {
      last.initCause(next);
      last = next;
    }
    return outer;
  }

  private static SSLHandshakeException openSslHandshake(Throwable cause) {
    return (SSLHandshakeException) chain(new SSLHandshakeException("General OpenSslEngine problem"), cause);
  }

  @Test
  void nothingListening() {
    Throwable refused = chain(new ConnectException("Connection refused: /127.0.0.1:7443"),
        new ConnectException("Connection refused"));
    assertEquals(Optional.of("cannot connect to 127.0.0.1:7443: connection refused"),
        MUTUAL.describe(unavailable("io exception", refused)));
    assertEquals(Optional.of("cannot connect to localhost:7443: connection refused"),
        new ConnectionFailures("localhost:7443", "x", null).describe(unavailable("io exception",
            new ConnectException("Connection refused: localhost/127.0.0.1:7443"))));
  }

  @Test
  void aRealClosedPort() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    String target = "127.0.0.1:" + port;
    var channel = io.grpc.ManagedChannelBuilder.forTarget(target).usePlaintext().build();
    try {
      StatusRuntimeException e = org.junit.jupiter.api.Assertions.assertThrows(StatusRuntimeException.class, () ->
          TaskInstancesGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
              .heartbeat(HeartbeatRequest.getDefaultInstance()));
      assertEquals(Optional.of("cannot connect to " + target + ": connection refused"),
          new ConnectionFailures(target, "x", null).describe(e));
    } finally {
      channel.shutdownNow();
    }
  }

  @Test
  void unknownHost() {
    ConnectionFailures failures = new ConnectionFailures("db.invalid:7443", "--trust-bundle b.pem", null);
    assertEquals(Optional.of("cannot connect to db.invalid:7443: unknown host db.invalid"), failures.describe(unavailable(
        "Unable to resolve host db.invalid", new UnknownHostException("db.invalid: Name or service not known"))));
    assertEquals(Optional.of("cannot connect to db.invalid:7443: unknown host db.invalid"),
        failures.describe(unavailable("io exception", new UnresolvedAddressException())));
  }

  @Test
  void serverCertificateNotTrusted() {
    Throwable pkix = chain(new CertificateException("PKIX path building failed: unable to find valid certification"
        + " path to requested target"), new CertPathBuilderException("unable to find valid certification path"));
    String expected = "TLS handshake with 127.0.0.1:7443 failed: the server's certificate is not trusted by"
        + " --trust-bundle bundle.pem";
    assertEquals(Optional.of(expected), MUTUAL.describe(unavailable("io exception\nChannel Pipeline: [SslHandler#0]",
        openSslHandshake(pkix))));
    assertEquals(Optional.of(expected), SERVER_ONLY.describe(unavailable("io exception",
        chain(new SSLHandshakeException("PKIX path building failed"), new CertPathBuilderException("no path")))));
  }

  @Test
  void serverCertificateForAnotherNameOrExpired() {
    assertEquals(Optional.of("TLS handshake with 127.0.0.1:7443 failed: the server's certificate does not name 127.0.0.1"),
        MUTUAL.describe(unavailable("io exception", openSslHandshake(
            new CertificateException("No subject alternative names matching IP address 127.0.0.1 found")))));
    assertEquals(Optional.of("TLS handshake with 127.0.0.1:7443 failed: the server's certificate does not name"
        + " ca.example"), MUTUAL.describe(unavailable("io exception", openSslHandshake(
            new CertificateException("No name matching ca.example found")))));
    assertEquals(Optional.of("TLS handshake with 127.0.0.1:7443 failed: the server's certificate has expired or is"
        + " not yet valid"), MUTUAL.describe(unavailable("io exception", openSslHandshake(chain(
            new CertificateException("validity check failed"), new CertificateExpiredException("NotAfter: ..."))))));
  }

  @Test
  void clientCertificateRefusedByTheServer() {
    String refused = "TLS handshake with 127.0.0.1:7443 failed: the server refused our client certificate"
        + " (--cert ops.pem): not issued by a CA it trusts, expired or distrusted (TLS alert ";
    Throwable boringSsl = chain(new DecoderException("OpenSslException: error:10000438:SSL routines:"
        + "OPENSSL_internal:TLSV1_ALERT_INTERNAL_ERROR"), new SSLException("error:10000438:SSL routines:"
        + "OPENSSL_internal:TLSV1_ALERT_INTERNAL_ERROR"));
    assertEquals(Optional.of(refused + "internal_error)"), MUTUAL.describe(unavailable("ssl exception", boringSsl)));
    assertEquals(Optional.of(refused + "certificate_required)"), MUTUAL.describe(unavailable("ssl exception",
        new SSLException("Received fatal alert: certificate_required"))));
    assertEquals(Optional.of("TLS handshake with 127.0.0.1:7443 failed: the server sent TLS alert internal_error"),
        SERVER_ONLY.describe(unavailable("ssl exception", boringSsl)));
  }

  @Test
  void keyThatDoesNotMatchTheCertificate() {
    assertEquals(Optional.of("cannot use the client certificate --cert ops.pem: the private key does not match it"),
        MUTUAL.describe(unavailable("io exception", openSslHandshake(chain(new SSLException("java.lang.Exception: "
            + "Error setting certificate (error:0b000074:X.509 certificate routines:OPENSSL_internal:"
            + "KEY_VALUES_MISMATCH)"), new Exception("Error setting certificate (KEY_VALUES_MISMATCH)"))))));
  }

  @Test
  void aPortThatDoesNotSpeakTls() {
    assertEquals(Optional.of("cannot connect to 127.0.0.1:7443: it does not speak TLS (is it the server's port?)"),
        MUTUAL.describe(unavailable("io exception", new NotSslRecordException("not an SSL/TLS record: 4854"))));
  }

  @Test
  void noAnswerInTime() {
    assertEquals(Optional.of("no answer from 127.0.0.1:7443 in time (deadline exceeded after 4.999s)"),
        MUTUAL.describe(Status.DEADLINE_EXCEEDED.withDescription("deadline exceeded after 4.999s. [closed=[], "
            + "open=[[remote_addr=/127.0.0.1:7443]]]").asRuntimeException()));
  }

  @Test
  void whatTheServerAnsweredIsLeftToTheCaller() {
    assertEquals(Optional.empty(), MUTUAL.describe(Status.UNAVAILABLE.withDescription("the database is unavailable")
        .asRuntimeException()));
    assertEquals(Optional.empty(), MUTUAL.describe(Status.PERMISSION_DENIED.withDescription("no").asRuntimeException()));
    assertEquals(Optional.empty(), MUTUAL.describe(new IllegalStateException("not a call")));
  }

  @Test
  void findsTheStatusInsideATaskcertException() {
    TaskcertException wrapped = TaskcertException.from(unavailable("io exception",
        new ConnectException("Connection refused: /127.0.0.1:7443")));
    assertEquals(Optional.of("cannot connect to 127.0.0.1:7443: connection refused"), MUTUAL.describe(wrapped));
  }
}
