package dev.taskcert.supervisor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskcert.pki.crypto.SignatureProvider;
import dev.taskcert.supervisor.credentials.TaskKeys;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The supervisor's keys and CSRs come from the provider its configuration or the system property chooses. */
class SignatureChoiceTest {
  private final SecureRandom random = new SecureRandom();

  @AfterEach
  void clearProperty() {
    System.clearProperty(SupervisorConfig.CRYPTO_PROVIDER_PROPERTY);
  }

  @Test
  void nativeByDefault() {
    SignatureProvider signatures = SupervisorConfig.defaultSignatureProvider();

    assertTrue(signatures.isNative(), signatures.describe());
    KeyPair keys = TaskKeys.generate(random);
    assertTrue(keys.getPrivate().getClass().getName().startsWith("com.amazon.corretto."),
        keys.getPrivate().getClass().getName());
    assertTrue(verifies(TaskKeys.csr(keys)));
  }

  @Test
  void thePropertyChoosesTheJdk() {
    System.setProperty(SupervisorConfig.CRYPTO_PROVIDER_PROPERTY, "jdk");

    SupervisorConfig config = new SupervisorConfig("localhost:1", "localhost:2", List.of(root()), Duration.ofSeconds(1));
    assertFalse(config.signatures().isNative());
    KeyPair keys = TaskKeys.generate(random, config.signatures());
    assertTrue(keys.getPrivate().getClass().getName().startsWith("org.bouncycastle."),
        keys.getPrivate().getClass().getName());
    assertTrue(verifies(TaskKeys.csr(keys, config.signatures())));
  }

  @Test
  void aConfigurationMayChooseForItself() {
    SupervisorConfig config = new SupervisorConfig("localhost:1", "localhost:2", List.of(root()), Duration.ofSeconds(1))
        .withSignatures(SignatureProvider.jdk());

    assertSame(SignatureProvider.Choice.JDK, config.signatures().requested());
    assertEquals(Duration.ofSeconds(1), config.callTimeout());
  }

  @Test
  void anUnknownPropertyValueIsRefusedByName() {
    System.setProperty(SupervisorConfig.CRYPTO_PROVIDER_PROPERTY, "fastest");

    IllegalArgumentException refused =
        assertThrows(IllegalArgumentException.class, SupervisorConfig::defaultSignatureProvider);
    assertEquals("taskcert.crypto.provider must be native or jdk, got 'fastest'", refused.getMessage());
  }

  private static boolean verifies(byte[] csr) {
    try {
      PKCS10CertificationRequest request = new PKCS10CertificationRequest(csr);
      return request.isSignatureValid(new JcaContentVerifierProviderBuilder()
          .setProvider(dev.taskcert.pki.crypto.BouncyCastle.PROVIDER).build(request.getSubjectPublicKeyInfo()));
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  /** Any certificate: the configuration only needs one root to hold. */
  private static X509Certificate root() {
    try {
      KeyPair keys = TaskKeys.generate(new SecureRandom(), SignatureProvider.jdk());
      org.bouncycastle.asn1.x500.X500Name name = new org.bouncycastle.asn1.x500.X500Name("CN=root");
      java.util.Date now = new java.util.Date();
      return new org.bouncycastle.cert.jcajce.JcaX509CertificateConverter().getCertificate(
          new org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder(name, java.math.BigInteger.ONE, now,
              new java.util.Date(now.getTime() + 60_000), name, keys.getPublic())
              .build(new org.bouncycastle.operator.jcajce.JcaContentSignerBuilder("SHA256withECDSA")
                  .build(keys.getPrivate())));
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
