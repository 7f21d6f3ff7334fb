package dev.taskcert.bench.jwt;

import io.jsonwebtoken.JwtParser;
import io.jsonwebtoken.Jwts;
import io.jsonwebtoken.security.SecureDigestAlgorithm;
import java.security.Key;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.UUID;
import javax.crypto.SecretKey;

/**
 * Mints and verifies execution-API tokens the way the shared-secret design does: the subject is the
 * task-instance id, with issuer, audience, issued-at, not-before and expiry claims, and the
 * verifier checks the signature and every one of those claims on each call.
 */
public final class JwtKeys {
  /** Issuer claim of every token. */
  public static final String ISSUER = "taskcert-bench";
  /** Audience claim of every token (the value the shared-secret design uses for task tokens). */
  public static final String AUDIENCE = "urn:airflow.apache.org:task";

  private final JwtAlgorithm algorithm;
  private final Key signingKey;
  private final Key verificationKey;

  JwtKeys(JwtAlgorithm algorithm, Key signingKey, Key verificationKey) {
    this.algorithm = algorithm;
    this.signingKey = signingKey;
    this.verificationKey = verificationKey;
  }

  public JwtAlgorithm algorithm() {
    return algorithm;
  }

  /** A token for task instance {@code taskInstanceId}, valid from {@code now} for {@code lifetime}. */
  public String mint(UUID taskInstanceId, Instant now, Duration lifetime) {
    return Jwts.builder()
        .subject(taskInstanceId.toString())
        .issuer(ISSUER)
        .audience().add(AUDIENCE).and()
        .id(UUID.randomUUID().toString())
        .issuedAt(Date.from(now))
        .notBefore(Date.from(now))
        .expiration(Date.from(now.plus(lifetime)))
        .signWith(signingKey, signatureAlgorithm())
        .compact();
  }

  @SuppressWarnings("unchecked")
  private <K extends Key> SecureDigestAlgorithm<K, ?> signatureAlgorithm() {
    return (SecureDigestAlgorithm<K, ?>) switch (algorithm) {
      case HS512 -> Jwts.SIG.HS512;
      case RS256 -> Jwts.SIG.RS256;
      case ES256 -> Jwts.SIG.ES256;
      case EDDSA -> Jwts.SIG.EdDSA;
    };
  }

  /** A thread-safe verifier that requires a valid signature, issuer, audience and time window. */
  public JwtParser verifier() {
    var builder = Jwts.parser().requireIssuer(ISSUER).requireAudience(AUDIENCE).clockSkewSeconds(30);
    if (verificationKey instanceof SecretKey secret) {
      builder.verifyWith(secret);
    } else {
      builder.verifyWith((PublicKey) verificationKey);
    }
    return builder.build();
  }

  /** The signing key ({@link SecretKey} for HS512, {@link PrivateKey} otherwise). */
  public Key signingKey() {
    return signingKey;
  }
}
