package dev.taskcert.pki.ca;

import java.math.BigInteger;
import java.security.PublicKey;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;

/**
 * The trust bundle in the SPIFFE bundle format (SPIFFE Trust Domain and Bundle, §4): a JWK Set
 * with one key per root, each with {@code use: "x509-svid"}, its {@code kty} and public key
 * parameters, and the root certificate as the single element of {@code x5c}, plus {@code
 * spiffe_sequence} and {@code spiffe_refresh_hint}. What SPIFFE-aware relying parties load.
 */
public final class SpiffeBundle {
  private SpiffeBundle() {}

  /**
   * The bundle as JSON.
   *
   * @param sequence increases whenever the bundle changes
   * @param refreshHint how often relying parties should fetch the bundle again
   */
  public static String json(TrustBundle bundle, long sequence, Duration refreshHint) {
    List<String> keys = new ArrayList<>();
    for (X509Certificate root : bundle.roots()) {
      keys.add(jwk(root));
    }
    return "{\n  \"keys\": [\n" + String.join(",\n", keys) + "\n  ],\n"
        + "  \"spiffe_sequence\": " + sequence + ",\n"
        + "  \"spiffe_refresh_hint\": " + refreshHint.toSeconds() + "\n}\n";
  }

  private static String jwk(X509Certificate root) {
    StringBuilder json = new StringBuilder("    {\"use\": \"x509-svid\", ");
    PublicKey key = root.getPublicKey();
    if (key instanceof ECPublicKey ec) {
      int size = (ec.getParams().getCurve().getField().getFieldSize() + 7) / 8;
      String curve = switch (size) {
        case 32 -> "P-256";
        case 48 -> "P-384";
        case 66 -> "P-521";
        default -> throw new IllegalArgumentException("unsupported EC curve of " + size + " bytes");
      };
      json.append("\"kty\": \"EC\", \"crv\": \"").append(curve).append("\", ")
          .append("\"x\": \"").append(base64Url(ec.getW().getAffineX(), size)).append("\", ")
          .append("\"y\": \"").append(base64Url(ec.getW().getAffineY(), size)).append("\", ");
    } else if (key instanceof RSAPublicKey rsa) {
      json.append("\"kty\": \"RSA\", ")
          .append("\"n\": \"").append(base64Url(rsa.getModulus(), 0)).append("\", ")
          .append("\"e\": \"").append(base64Url(rsa.getPublicExponent(), 0)).append("\", ");
    } else {
      throw new IllegalArgumentException("unsupported root key type " + key.getAlgorithm());
    }
    try {
      json.append("\"x5c\": [\"").append(Base64.getEncoder().encodeToString(root.getEncoded())).append("\"]}");
    } catch (CertificateEncodingException e) {
      throw new IllegalStateException("cannot encode a root certificate", e);
    }
    return json.toString();
  }

  /** Unsigned big-endian bytes, left-padded to {@code length} when it is positive, base64url without padding. */
  private static String base64Url(BigInteger value, int length) {
    byte[] bytes = value.toByteArray();
    if (bytes.length > 1 && bytes[0] == 0) {
      bytes = Arrays.copyOfRange(bytes, 1, bytes.length);
    }
    if (length > bytes.length) {
      byte[] padded = new byte[length];
      System.arraycopy(bytes, 0, padded, length - bytes.length, bytes.length);
      bytes = padded;
    }
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }
}
