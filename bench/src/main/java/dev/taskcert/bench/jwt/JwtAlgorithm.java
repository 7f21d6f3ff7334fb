package dev.taskcert.bench.jwt;

import io.jsonwebtoken.Jwts;
import io.jsonwebtoken.security.Jwks;
import java.security.KeyPair;
import javax.crypto.SecretKey;

/**
 * The signature algorithms the shared-secret design can be configured with. HS512 with a secret
 * every worker can read is Airflow's default; RS256, ES256 and EdDSA (Ed25519, verified by the
 * JDK's own provider) are the asymmetric alternatives, where the worker side holds the private key.
 */
public enum JwtAlgorithm {
  HS512("HS512"),
  RS256("RS256"),
  ES256("ES256"),
  EDDSA("EdDSA (Ed25519)");

  private final String label;

  JwtAlgorithm(String label) {
    this.label = label;
  }

  /** How the report names it. */
  public String label() {
    return label;
  }

  /** Fresh signing and verification keys (RSA 2048 for RS256). */
  public JwtKeys generateKeys() {
    return switch (this) {
      case HS512 -> {
        SecretKey secret = Jwts.SIG.HS512.key().build();
        yield new JwtKeys(this, secret, secret);
      }
      case RS256 -> asymmetric(Jwts.SIG.RS256.keyPair().build());
      case ES256 -> asymmetric(Jwts.SIG.ES256.keyPair().build());
      case EDDSA -> asymmetric(Jwks.CRV.Ed25519.keyPair().build());
    };
  }

  private JwtKeys asymmetric(KeyPair pair) {
    return new JwtKeys(this, pair.getPrivate(), pair.getPublic());
  }
}
