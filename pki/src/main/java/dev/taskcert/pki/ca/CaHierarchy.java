package dev.taskcert.pki.ca;

import dev.taskcert.pki.identity.TrustDomain;
import dev.taskcert.pki.issuance.CertificateBuilder;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Optional;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralSubtree;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.NameConstraints;

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

  /** A trust domain that is also a DNS host name, the only kind a URI name constraint can name. */
  private static final Pattern HOST_NAME =
      Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*");

  private static final DateTimeFormatter GENERATION =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

  /** Creates a fresh root and intermediate for {@code trustDomain}. */
  public static CaHierarchy create(
      TrustDomain trustDomain, KeyAlgorithm algorithm, Instant now, SecureRandom random) {
    RootCa root = createRoot(trustDomain, algorithm, now, random);
    IntermediateCa intermediate =
        createIntermediate(trustDomain, root.certificate(), root.privateKey(), algorithm, now, random);
    return new CaHierarchy(root.certificate(), root.privateKey(), intermediate);
  }

  /**
   * Creates a new self-signed root (at {@code init}, and for a root rollover). Its name carries the
   * creation time, so successive roots of one trust domain have distinct names.
   */
  public static RootCa createRoot(
      TrustDomain trustDomain, KeyAlgorithm algorithm, Instant now, SecureRandom random) {
    KeyPair keys = algorithm.generate(random);
    X509Certificate root =
        CertificateBuilder.selfSigned(
                name(trustDomain, "taskcert root " + GENERATION.format(now)),
                keys.getPublic(), keys.getPrivate(),
                now.minus(Duration.ofMinutes(5)), now.plus(ROOT_VALIDITY), random)
            .extension(Extension.basicConstraints, true, new BasicConstraints(1))
            .extension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
            .sign();
    return new RootCa(root, keys.getPrivate());
  }

  /**
   * The trust domain a CA certificate made here was created for (its subject's OU).
   *
   * @throws IllegalArgumentException if the subject carries no valid trust domain
   */
  public static TrustDomain trustDomainOf(X509Certificate caCertificate) {
    X500Name subject = X500Name.getInstance(caCertificate.getSubjectX500Principal().getEncoded());
    RDN[] units = subject.getRDNs(BCStyle.OU);
    if (units.length != 1) {
      throw new IllegalArgumentException(
          caCertificate.getSubjectX500Principal().getName() + " does not name a trust domain");
    }
    return new TrustDomain(IETFUtils.valueToString(units[0].getFirst().getValue()));
  }

  /** The root as a certificate and key pair. */
  public RootCa rootCa() {
    return new RootCa(root, rootKey);
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
    X509Certificate certificate = certifyIntermediate(trustDomain, root, rootKey, keys.getPublic(), now, random);
    return new IntermediateCa(certificate, keys.getPrivate(), root);
  }

  /**
   * Signs an intermediate certificate for {@code intermediateKey} under an existing root, for a
   * key made elsewhere (in a PKCS#11 token, see {@link TokenIntermediates}).
   */
  public static X509Certificate certifyIntermediate(
      TrustDomain trustDomain,
      X509Certificate root,
      PrivateKey rootKey,
      PublicKey intermediateKey,
      Instant now,
      SecureRandom random) {
    Instant notAfter = now.plus(INTERMEDIATE_VALIDITY);
    Instant rootNotAfter = root.getNotAfter().toInstant();
    if (notAfter.isAfter(rootNotAfter)) {
      notAfter = rootNotAfter;
    }
    CertificateBuilder builder =
        CertificateBuilder.issuedBy(
                root, rootKey, name(trustDomain, "taskcert intermediate " + GENERATION.format(now)),
                intermediateKey, now.minus(Duration.ofMinutes(5)), notAfter, random)
            .extension(Extension.basicConstraints, true, new BasicConstraints(0))
            .extension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
    uriNameConstraint(trustDomain).ifPresent(constraint -> builder.extension(Extension.nameConstraints, true, constraint));
    return builder.sign();
  }

  /**
   * The name constraint of an intermediate: URI names only under the trust domain. RFC 5280 applies
   * a URI subtree to the URI's host, so {@code spiffe://<domain>/...} matches a subtree naming
   * exactly {@code <domain>} (no leading dot: the host itself, not its subdomains). Other name forms
   * (the server certificate's DNS names and IP addresses) are not constrained. Empty for a trust
   * domain that is not a DNS host name (one with {@code _}, say): no validator could parse the
   * constraint, so it is left out.
   */
  public static Optional<NameConstraints> uriNameConstraint(TrustDomain trustDomain) {
    if (!HOST_NAME.matcher(trustDomain.name()).matches()) {
      return Optional.empty();
    }
    GeneralSubtree permitted =
        new GeneralSubtree(new GeneralName(GeneralName.uniformResourceIdentifier, trustDomain.name()));
    return Optional.of(new NameConstraints(new GeneralSubtree[] {permitted}, null));
  }

  private static X500Name name(TrustDomain trustDomain, String commonName) {
    return new X500NameBuilder(BCStyle.INSTANCE)
        .addRDN(BCStyle.O, "taskcert")
        .addRDN(BCStyle.OU, trustDomain.name())
        .addRDN(BCStyle.CN, commonName)
        .build();
  }
}
