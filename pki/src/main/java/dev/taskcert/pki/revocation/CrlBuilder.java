package dev.taskcert.pki.revocation;

import dev.taskcert.pki.ca.IntermediateCa;
import dev.taskcert.pki.ca.KeyAlgorithm;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.bouncycastle.asn1.x509.CRLNumber;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v2CRLBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CRLConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v2CRLBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Signs X.509 v2 certificate revocation lists for the certificates an intermediate issued. Each CRL
 * carries a CRL number and the intermediate's key identifier; entries carry a reason code unless
 * the reason is unspecified.
 */
public final class CrlBuilder {
  /** A CRL number is at most 20 octets (RFC 5280, 5.2.3). */
  private static final int MAX_CRL_NUMBER_BITS = 159;

  private final IntermediateCa issuer;

  public CrlBuilder(IntermediateCa issuer) {
    this.issuer = issuer;
  }

  /**
   * Builds and signs a CRL.
   *
   * @param revoked the entries, each serial at most once (may be empty: "nothing is revoked")
   * @param crlNumber increases with every CRL the intermediate publishes
   * @param thisUpdate when the CRL is issued
   * @param nextUpdate by when the next CRL will be published; after it relying parties treat the
   *     CRL as stale
   * @throws IllegalArgumentException for duplicate serials, a bad CRL number or update window
   * @throws IllegalStateException if the intermediate is not valid at {@code thisUpdate}
   */
  public X509CRL build(
      List<RevokedCertificate> revoked, BigInteger crlNumber, Instant thisUpdate, Instant nextUpdate) {
    if (!nextUpdate.isAfter(thisUpdate)) {
      throw new IllegalArgumentException("next update " + nextUpdate + " must be after " + thisUpdate);
    }
    if (crlNumber.signum() < 0 || crlNumber.bitLength() > MAX_CRL_NUMBER_BITS) {
      throw new IllegalArgumentException("a CRL number must be a non-negative integer of at most 20 octets");
    }
    X509Certificate certificate = issuer.certificate();
    if (thisUpdate.isAfter(certificate.getNotAfter().toInstant())
        || thisUpdate.isBefore(certificate.getNotBefore().toInstant())) {
      throw new IllegalStateException(
          "the intermediate is not valid at " + thisUpdate + " and cannot sign a CRL then");
    }
    X509v2CRLBuilder builder = new JcaX509v2CRLBuilder(certificate, Date.from(thisUpdate));
    builder.setNextUpdate(Date.from(nextUpdate));
    Set<BigInteger> seen = new HashSet<>();
    for (RevokedCertificate entry : revoked) {
      if (!seen.add(entry.serial())) {
        throw new IllegalArgumentException("serial " + entry.serial().toString(16) + " is listed twice");
      }
      builder.addCRLEntry(entry.serial(), Date.from(entry.revokedAt()), entry.reason().code());
    }
    try {
      builder.addExtension(
          Extension.authorityKeyIdentifier, false,
          new JcaX509ExtensionUtils().createAuthorityKeyIdentifier(certificate.getPublicKey()));
      builder.addExtension(Extension.cRLNumber, false, new CRLNumber(crlNumber));
      ContentSigner signer =
          new JcaContentSignerBuilder(KeyAlgorithm.signatureAlgorithmFor(certificate.getPublicKey()))
              .setProvider(issuer.keySource().signingProvider())
              .build(issuer.privateKey());
      return new JcaX509CRLConverter().getCRL(builder.build(signer));
    } catch (CertIOException | GeneralSecurityException | OperatorCreationException e) {
      throw new IllegalStateException("cannot sign the CRL", e);
    }
  }
}
