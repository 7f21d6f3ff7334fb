package dev.taskcert.pki.issuance;

import dev.taskcert.pki.crypto.BouncyCastle;
import dev.taskcert.pki.ca.KeyAlgorithm;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Signs one X.509 v3 certificate: a thin wrapper over BouncyCastle that always adds the subject
 * and authority key identifiers and a random positive serial of {@value #SERIAL_BITS} bits.
 */
public final class CertificateBuilder {
  /** Serial numbers carry this many bits, the top one set, so at least 126 bits are random. */
  public static final int SERIAL_BITS = 127;

  private final X509v3CertificateBuilder builder;
  private final PrivateKey signingKey;
  private final String signatureAlgorithm;
  private final BigInteger serial;
  private Provider signingProvider = BouncyCastle.PROVIDER;

  private CertificateBuilder(
      X509v3CertificateBuilder builder, PrivateKey signingKey, String signatureAlgorithm, BigInteger serial) {
    this.builder = builder;
    this.signingKey = signingKey;
    this.signatureAlgorithm = signatureAlgorithm;
    this.serial = serial;
  }

  /** A certificate for {@code subjectKey} signed by {@code issuer}'s key. */
  public static CertificateBuilder issuedBy(
      X509Certificate issuer,
      PrivateKey issuerKey,
      X500Name subject,
      PublicKey subjectKey,
      Instant notBefore,
      Instant notAfter,
      SecureRandom random) {
    X500Name issuerName = X500Name.getInstance(issuer.getSubjectX500Principal().getEncoded());
    return create(issuerName, issuer.getPublicKey(), issuerKey, subject, subjectKey, notBefore, notAfter, random);
  }

  /** A self-signed certificate (a root). */
  public static CertificateBuilder selfSigned(
      X500Name subject,
      PublicKey key,
      PrivateKey privateKey,
      Instant notBefore,
      Instant notAfter,
      SecureRandom random) {
    return create(subject, key, privateKey, subject, key, notBefore, notAfter, random);
  }

  /**
   * The common part: a random serial, the validity window, and key identifiers (the authority key
   * identifier names the issuer's key only, so chains still build after an issuer is re-issued).
   */
  private static CertificateBuilder create(
      X500Name issuerName,
      PublicKey issuerPublicKey,
      PrivateKey signingKey,
      X500Name subject,
      PublicKey subjectKey,
      Instant notBefore,
      Instant notAfter,
      SecureRandom random) {
    BigInteger serial = randomSerial(random);
    JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
        issuerName, serial, Date.from(notBefore), Date.from(notAfter), subject, subjectKey);
    try {
      JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
      builder.addExtension(Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(subjectKey));
      builder.addExtension(
          Extension.authorityKeyIdentifier, false, utils.createAuthorityKeyIdentifier(issuerPublicKey));
    } catch (GeneralSecurityException | CertIOException e) {
      throw new IllegalStateException("cannot compute key identifiers", e);
    }
    return new CertificateBuilder(
        builder, signingKey, KeyAlgorithm.signatureAlgorithmFor(issuerPublicKey), serial);
  }

  /**
   * Signs through {@code provider} instead of BouncyCastle: the native provider in force, whose own
   * key object the signing key should then be (see {@link dev.taskcert.pki.crypto.SigningKey}), or
   * the provider of a token that holds the signing key (see {@link dev.taskcert.pki.ca.CaKeySource}).
   */
  public CertificateBuilder signingProvider(Provider provider) {
    this.signingProvider = provider;
    return this;
  }

  /** Adds an extension. */
  public CertificateBuilder extension(ASN1ObjectIdentifier oid, boolean critical, ASN1Encodable value) {
    try {
      builder.addExtension(oid, critical, value);
    } catch (CertIOException e) {
      throw new IllegalArgumentException("cannot encode extension " + oid, e);
    }
    return this;
  }

  public BigInteger serial() {
    return serial;
  }

  /** Signs and returns the certificate as a JDK {@link X509Certificate}. */
  public X509Certificate sign() {
    try {
      ContentSigner signer =
          new JcaContentSignerBuilder(signatureAlgorithm)
              .setProvider(signingProvider)
              .build(signingKey);
      return new JcaX509CertificateConverter().getCertificate(builder.build(signer));
    } catch (OperatorCreationException | GeneralSecurityException e) {
      throw new IllegalStateException("cannot sign certificate", e);
    }
  }

  /** A random positive serial of {@value #SERIAL_BITS} bits, the top one set. */
  static BigInteger randomSerial(SecureRandom random) {
    return new BigInteger(SERIAL_BITS - 1, random).setBit(SERIAL_BITS - 1);
  }
}
