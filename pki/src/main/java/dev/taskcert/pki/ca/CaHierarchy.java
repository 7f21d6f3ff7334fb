package dev.taskcert.pki.ca;

import dev.taskcert.pki.identity.TrustDomain;
import dev.taskcert.pki.issuance.CertificateBuilder;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyUsage;

/**
 * A root CA and the intermediate it certifies: what {@code init} creates. The root key signs only
 * intermediates (path length 1); the intermediate signs only leaves (path length 0).
 *
 * @param rootKey the root's private key; keep it offline in production
 */
public record CaHierarchy(X509Certificate root, PrivateKey rootKey, IntermediateCa intermediate) {

  /** Default validity of a new root. */
  public static final Duration ROOT_VALIDITY = Duration.ofDays(3650);
  /** Default validity of a new intermediate. */
  public static final Duration INTERMEDIATE_VALIDITY = Duration.ofDays(365);

  private static final DateTimeFormatter GENERATION =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

  /** Creates a fresh root and intermediate for {@code trustDomain}. */
  public static CaHierarchy create(
      TrustDomain trustDomain, KeyAlgorithm algorithm, Instant now, SecureRandom random) {
    KeyPair rootKeys = algorithm.generate(random);
    X500Name rootName = name(trustDomain, "taskcert root " + GENERATION.format(now));
    X509Certificate root =
        CertificateBuilder.selfSigned(
                rootName, rootKeys.getPublic(), rootKeys.getPrivate(),
                now.minus(Duration.ofMinutes(5)), now.plus(ROOT_VALIDITY), random)
            .extension(Extension.basicConstraints, true, new BasicConstraints(1))
            .extension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
            .sign();
    IntermediateCa intermediate =
        createIntermediate(trustDomain, root, rootKeys.getPrivate(), algorithm, now, random);
    return new CaHierarchy(root, rootKeys.getPrivate(), intermediate);
  }

  /** Creates a new intermediate under an existing root (used at init and for rotation). */
  public static IntermediateCa createIntermediate(
      TrustDomain trustDomain,
      X509Certificate root,
      PrivateKey rootKey,
      KeyAlgorithm algorithm,
      Instant now,
      SecureRandom random) {
    KeyPair keys = algorithm.generate(random);
    Instant notAfter = now.plus(INTERMEDIATE_VALIDITY);
    Instant rootNotAfter = root.getNotAfter().toInstant();
    if (notAfter.isAfter(rootNotAfter)) {
      notAfter = rootNotAfter;
    }
    X509Certificate certificate =
        CertificateBuilder.issuedBy(
                root, rootKey, name(trustDomain, "taskcert intermediate " + GENERATION.format(now)),
                keys.getPublic(), now.minus(Duration.ofMinutes(5)), notAfter, random)
            .extension(Extension.basicConstraints, true, new BasicConstraints(0))
            .extension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
            .sign();
    return new IntermediateCa(certificate, keys.getPrivate(), root);
  }

  private static X500Name name(TrustDomain trustDomain, String commonName) {
    return new X500NameBuilder(BCStyle.INSTANCE)
        .addRDN(BCStyle.O, "taskcert")
        .addRDN(BCStyle.OU, trustDomain.name())
        .addRDN(BCStyle.CN, commonName)
        .build();
  }
}
