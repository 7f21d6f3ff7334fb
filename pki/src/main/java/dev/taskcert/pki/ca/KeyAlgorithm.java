package dev.taskcert.pki.ca;

import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;

/**
 * Key types the CA can generate for itself, and the signature algorithm each signs with. EC P-256
 * is the default; Ed25519 is deliberately absent (see docs/operations.md).
 */
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

  /**
   * The kind of {@code key}.
   *
   * @throws IllegalArgumentException if it is none of the kinds above
   */
  public static KeyAlgorithm of(PublicKey key) {
    if (key instanceof ECPublicKey ec) {
      if (isCurve(ec.getParams(), "secp256r1")) {
        return EC_P256;
      }
      if (isCurve(ec.getParams(), "secp384r1")) {
        return EC_P384;
      }
      throw new IllegalArgumentException("unsupported EC curve");
    }
    if (key instanceof RSAPublicKey rsa && rsa.getModulus().bitLength() == 3072) {
      return RSA_3072;
    }
    throw new IllegalArgumentException("unsupported key: " + key.getAlgorithm());
  }

  private static boolean isCurve(ECParameterSpec parameters, String curveName) {
    try {
      AlgorithmParameters named = AlgorithmParameters.getInstance("EC");
      named.init(new ECGenParameterSpec(curveName));
      ECParameterSpec expected = named.getParameterSpec(ECParameterSpec.class);
      return expected.getCurve().equals(parameters.getCurve())
          && expected.getGenerator().equals(parameters.getGenerator())
          && expected.getOrder().equals(parameters.getOrder());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK does not know curve " + curveName, e);
    }
  }

  /** The JCA signature algorithm a CA key of this kind signs certificates with. */
  public static String signatureAlgorithmFor(PrivateKey key) {
    return key instanceof ECPrivateKey ec ? ecdsaFor(ec.getParams()) : rsaOrRefuse(key.getAlgorithm());
  }

  /**
   * The JCA signature algorithm the private half of {@code key} signs certificates with; for keys
   * in a token, whose handles do not reveal their curve.
   */
  public static String signatureAlgorithmFor(PublicKey key) {
    return key instanceof ECPublicKey ec ? ecdsaFor(ec.getParams()) : rsaOrRefuse(key.getAlgorithm());
  }

  private static String ecdsaFor(java.security.spec.ECParameterSpec params) {
    return params.getCurve().getField().getFieldSize() > 256 ? "SHA384withECDSA" : "SHA256withECDSA";
  }

  private static String rsaOrRefuse(String algorithm) {
    if ("RSA".equals(algorithm)) {
      return "SHA256withRSA";
    }
    throw new IllegalArgumentException("unsupported CA key algorithm " + algorithm);
  }
}
