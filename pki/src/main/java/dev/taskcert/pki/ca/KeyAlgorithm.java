package dev.taskcert.pki.ca;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.interfaces.ECPrivateKey;
import java.security.spec.ECGenParameterSpec;

/** Key types the CA can generate for itself, and the signature algorithm each signs with. */
public enum KeyAlgorithm {
  EC_P256,
  EC_P384,
  RSA_3072;

  /** Generates a fresh key pair of this type. */
  public KeyPair generate(SecureRandom random) {
    try {
      KeyPairGenerator generator;
      switch (this) {
        case EC_P256 -> {
          generator = KeyPairGenerator.getInstance("EC");
          generator.initialize(new ECGenParameterSpec("secp256r1"), random);
        }
        case EC_P384 -> {
          generator = KeyPairGenerator.getInstance("EC");
          generator.initialize(new ECGenParameterSpec("secp384r1"), random);
        }
        case RSA_3072 -> {
          generator = KeyPairGenerator.getInstance("RSA");
          generator.initialize(3072, random);
        }
        default -> throw new AssertionError(this);
      }
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK cannot generate " + this + " keys", e);
    }
  }

  /** The JCA signature algorithm a CA key of this kind signs certificates with. */
  public static String signatureAlgorithmFor(PrivateKey key) {
    if (key instanceof ECPrivateKey ec) {
      return ec.getParams().getCurve().getField().getFieldSize() > 256
          ? "SHA384withECDSA"
          : "SHA256withECDSA";
    }
    if ("RSA".equals(key.getAlgorithm())) {
      return "SHA256withRSA";
    }
    throw new IllegalArgumentException("unsupported CA key algorithm " + key.getAlgorithm());
  }
}
