package dev.taskcert.supervisor.credentials;

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
 * never written anywhere; the CSR only proves possession, so it names nothing.
 */
public final class TaskKeys {
  private TaskKeys() {}

  /** A fresh EC P-256 key pair. */
  public static KeyPair generate(SecureRandom random) {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"), random);
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK cannot generate EC P-256 keys", e);
    }
  }

  /** A DER PKCS#10 request signed by {@code keys}. */
  public static byte[] csr(KeyPair keys) {
    try {
      return new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=taskcert task"), keys.getPublic())
          .build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate()))
          .getEncoded();
    } catch (OperatorCreationException e) {
      throw new IllegalStateException("cannot sign the certification request", e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
