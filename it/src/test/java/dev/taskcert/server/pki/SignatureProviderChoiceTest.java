package dev.taskcert.server.pki;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskcert.dev.DemoData;
import dev.taskcert.pki.crypto.BouncyCastle;
import dev.taskcert.pki.crypto.SignatureProvider;
import dev.taskcert.pki.issuance.CsrValidator;
import dev.taskcert.server.testing.TestEnvironment;
import dev.taskcert.server.testing.TestTask;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/**
 * {@code crypto.provider=native} makes the server check CSRs and sign certificates with the Corretto
 * provider, and {@code jdk} keeps it away from it; either way a supervisor enrolls and calls, and the
 * probes and metrics say which is in force.
 */
class SignatureProviderChoiceTest {
  private static final String CORRETTO = "AmazonCorrettoCryptoProvider";

  @Test
  void nativeChecksCsrsAndSignsWithTheCorrettoProvider() throws Exception {
    try (TestEnvironment env = new TestEnvironment(builder -> builder
        .cryptoProvider(SignatureProvider.Choice.NATIVE).metricsPort(0)).started()) {
      SignatureProvider signatures = env.instance(SignatureProvider.class);
      assertTrue(signatures.isNative(), signatures.describe());
      assertEquals(CORRETTO, signatures.name());
      CsrValidator validator = env.instance(CsrValidator.class);
      assertSame(signatures, validator.signatureProvider());
      assertEquals(CORRETTO, validator.signatureProvider().provider().getName());
      assertEquals(CORRETTO, env.instance(CaState.class).current().issuer().signingProvider().getName());

      enrollsAndCalls(env);
      String readyz = probe(env, "/readyz");
      assertTrue(readyz.startsWith("ready\n"), readyz);
      assertTrue(readyz.contains("crypto provider: native (AmazonCorrettoCryptoProvider 2.5.0)\n"), readyz);
      String info = providerInfo(env);
      for (String label : new String[] {"provider=\"AmazonCorrettoCryptoProvider\"", "version=\"2.5.0\"",
          "native=\"true\"", "fallback=\"false\""}) {
        assertTrue(info.contains(label), info);
      }
    }
  }

  @Test
  void jdkChecksCsrsAndSignsInPureJava() throws Exception {
    try (TestEnvironment env = new TestEnvironment(builder -> builder
        .cryptoProvider(SignatureProvider.Choice.JDK).metricsPort(0)).started()) {
      SignatureProvider signatures = env.instance(SignatureProvider.class);
      assertFalse(signatures.isNative());
      assertTrue(signatures.fallbackReason().isEmpty(), "asked for, not a fallback");
      assertSame(BouncyCastle.PROVIDER, env.instance(CsrValidator.class).signatureProvider().provider());
      assertSame(BouncyCastle.PROVIDER, env.instance(CaState.class).current().issuer().signingProvider());
      assertEquals(null, signatures.certPathProvider(), "client chains with the JDK's own providers");

      enrollsAndCalls(env);
      String readyz = probe(env, "/readyz");
      assertTrue(readyz.startsWith("ready\n"), readyz);
      assertTrue(readyz.contains("crypto provider: jdk (pure Java: BC "), readyz);
      assertFalse(readyz.contains(CORRETTO), readyz);
      String info = providerInfo(env);
      for (String label : new String[] {"provider=\"BC\"", "native=\"false\"", "fallback=\"false\""}) {
        assertTrue(info.contains(label), info);
      }
    }
  }

  private static void enrollsAndCalls(TestEnvironment env) throws Exception {
    try (TestTask task = env.startTask(DemoData.ANALYTICS)) {
      assertNotNull(task.session().client().getVariable("analytics_bucket"));
    }
  }

  /** The line of {@code taskcert_crypto_provider_info}, which must say 1. */
  private static String providerInfo(TestEnvironment env) throws Exception {
    String metrics = probe(env, "/metrics");
    String line = metrics.lines().filter(candidate -> candidate.startsWith("taskcert_crypto_provider_info{"))
        .findFirst().orElseThrow(() -> new AssertionError(metrics));
    assertTrue(line.endsWith("} 1") || line.endsWith("} 1.0"), line);
    return line;
  }

  private static String probe(TestEnvironment env, String path) throws Exception {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + env.dev().runtime().metricsPort() + path)).build(),
        HttpResponse.BodyHandlers.ofString()).body();
  }
}
