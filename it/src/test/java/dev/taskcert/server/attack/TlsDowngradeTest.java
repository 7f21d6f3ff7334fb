package dev.taskcert.server.attack;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskcert.pki.pem.Pem;
import dev.taskcert.server.testing.RequiredTools;
import dev.taskcert.server.testing.TestEnvironment;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Protocol downgrade attempts against both ports with the OpenSSL command-line client (skipped,
 * saying so, where it is not installed): TLS 1.0 and 1.1 and non-forward-secret or non-AEAD cipher
 * suites are refused; TLS 1.2 with an ECDHE AEAD suite and TLS 1.3 are accepted on the enrollment
 * port, which needs no client certificate.
 */
class TlsDowngradeTest {
  private static final Path OPENSSL = Path.of("/usr/bin/openssl");
  private static TestEnvironment env;
  private static Path bundle;

  @BeforeAll
  static void start() throws Exception {
    RequiredTools.require(Files.isExecutable(OPENSSL), "the openssl command-line client is not installed at " + OPENSSL);
    env = new TestEnvironment().started();
    bundle = Files.createTempFile("taskcert-bundle", ".pem");
    Files.writeString(bundle, Pem.certificates(env.supervisorConfig().trustRoots()));
  }

  @AfterAll
  static void stop() throws Exception {
    if (env != null) {
      env.close();
      Files.deleteIfExists(bundle);
    }
  }

  private record Handshake(boolean established, String output) {}

  /** Runs one handshake with s_client; the security level is lowered so the client itself offers weak options. */
  private static Handshake handshake(int port, String... options) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(OPENSSL.toString(), "s_client", "-connect", "127.0.0.1:" + port,
        "-servername", "localhost", "-CAfile", bundle.toString(), "-verify_return_error"));
    command.addAll(List.of(options));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    process.getOutputStream().close();
    if (!process.waitFor(20, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new IllegalStateException("openssl s_client did not finish");
    }
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    boolean established = output.contains("Verify return code: 0 (ok)") && !output.contains("Cipher is (NONE)")
        && output.contains("New, TLSv1");
    return new Handshake(established, output);
  }

  private static int[] ports() {
    return new int[] {env.dev().runtime().enrollmentPort(), env.dev().runtime().executionPort()};
  }

  @ParameterizedTest
  @ValueSource(strings = {"-tls1", "-tls1_1"})
  void refusesOldProtocolVersions(String version) throws Exception {
    for (int port : ports()) {
      Handshake handshake = handshake(port, version, "-cipher", "DEFAULT:@SECLEVEL=0");
      assertFalse(handshake.established(), "port " + port + " accepted " + version + ":\n" + handshake.output());
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"AES128-SHA", "AES256-GCM-SHA384", "ECDHE-RSA-AES128-SHA", "DES-CBC3-SHA", "ECDHE-ECDSA-AES128-SHA"})
  void refusesWeakTls12CipherSuites(String cipher) throws Exception {
    for (int port : ports()) {
      Handshake handshake = handshake(port, "-tls1_2", "-cipher", cipher + ":@SECLEVEL=0");
      assertFalse(handshake.established(), "port " + port + " accepted " + cipher + ":\n" + handshake.output());
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"-tls1_2", "-tls1_3"})
  void acceptsModernTlsOnTheEnrollmentPort(String version) throws Exception {
    Handshake handshake = handshake(env.dev().runtime().enrollmentPort(), version);
    assertTrue(handshake.established(), version + " was refused:\n" + handshake.output());
  }
}
