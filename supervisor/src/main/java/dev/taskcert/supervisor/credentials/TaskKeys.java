package dev.taskcert.supervisor.credentials;

import dev.taskcert.pki.crypto.SignatureProvider;
import dev.taskcert.supervisor.SupervisorConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.spec.ECGenParameterSpec;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

/**
 * Key pairs and certification requests for a task try. Keys are EC P-256, generated in memory and
 * never written anywhere; the CSR only proves possession, so it names nothing. Both are the work of
 * a {@link SignatureProvider}: the one given, or the default of {@link
 * SupervisorConfig#defaultSignatureProvider}.
 */
public final class TaskKeys {
  private TaskKeys() {}

  /** A fresh EC P-256 key pair, from the default provider. */
  public static KeyPair generate(SecureRandom random) {
    return generate(random, SupervisorConfig.defaultSignatureProvider());
  }

  /**
   * A fresh EC P-256 key pair from {@code signatures}' provider ({@code random} is the source of a
   * pure-Java provider; the native one draws from its own DRBG).
   */
  public static KeyPair generate(SecureRandom random, SignatureProvider signatures) {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC", signatures.provider());
      generator.initialize(new ECGenParameterSpec("secp256r1"), random);
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(signatures.name() + " cannot generate EC P-256 keys", e);
    }
  }

  /** A DER PKCS#10 request signed by {@code keys}, with the default provider. */
  public static byte[] csr(KeyPair keys) {
    return csr(keys, SupervisorConfig.defaultSignatureProvider());
  }

  /** A DER PKCS#10 request signed by {@code keys} through {@code signatures}' provider. */
  public static byte[] csr(KeyPair keys, SignatureProvider signatures) {
    try {
      return new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=taskcert task"), keys.getPublic())
          .build(new JcaContentSignerBuilder("SHA256withECDSA").setProvider(signatures.provider())
              .build(keys.getPrivate()))
          .getEncoded();
    } catch (OperatorCreationException e) {
      throw new IllegalStateException("cannot sign the certification request", e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
