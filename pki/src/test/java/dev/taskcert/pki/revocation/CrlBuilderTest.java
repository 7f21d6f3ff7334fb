package dev.taskcert.pki.revocation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskcert.pki.ca.CaHierarchy;
import dev.taskcert.pki.ca.KeyAlgorithm;
import dev.taskcert.pki.identity.SpiffeIdCodec;
import dev.taskcert.pki.identity.TaskIdentity;
import dev.taskcert.pki.identity.TrustDomain;
import dev.taskcert.pki.issuance.CertificateIssuer;
import dev.taskcert.pki.issuance.IssuancePolicy;
import dev.taskcert.pki.issuance.IssuedCertificate;
import dev.taskcert.pki.pem.Pem;
import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.SignatureException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.security.cert.X509CRLEntry;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.CRLReason;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.SubjectKeyIdentifier;
import org.junit.jupiter.api.Test;

class CrlBuilderTest {
  private static final TrustDomain DOMAIN = new TrustDomain("taskcert.example");
  private static final Instant NOW = Instant.parse("2026-11-25T12:00:00Z");

  private final SecureRandom random = new SecureRandom();
  private final CaHierarchy hierarchy = CaHierarchy.create(DOMAIN, KeyAlgorithm.EC_P256, NOW, random);
  private final CrlBuilder builder = new CrlBuilder(hierarchy.intermediate());

  @Test
  void listsTheRevokedSerialsWithTimesAndReasons() throws Exception {
    IssuedCertificate issued =
        new CertificateIssuer(hierarchy.intermediate(), new SpiffeIdCodec(DOMAIN), IssuancePolicy.DEFAULT, random)
            .issueClient(KeyAlgorithm.EC_P256.generate(random).getPublic(), new TaskIdentity("d", "r", "t", -1, 1), NOW);
    Instant revokedAt = NOW.minusSeconds(30);
    X509CRL crl = builder.build(
        List.of(
            RevokedCertificate.of(issued.serialHex(), revokedAt, RevocationReason.KEY_COMPROMISE),
            new RevokedCertificate(BigInteger.valueOf(0x1234), revokedAt, RevocationReason.UNSPECIFIED)),
        BigInteger.valueOf(7), NOW, NOW.plus(Duration.ofDays(1)));

    assertEquals(2, crl.getRevokedCertificates().size());
    assertTrue(crl.isRevoked(issued.leaf()));
    X509CRLEntry compromised = crl.getRevokedCertificate(issued.leaf().getSerialNumber());
    assertEquals(revokedAt, compromised.getRevocationDate().toInstant());
    assertEquals(CRLReason.keyCompromise, compromised.getRevocationReason().ordinal());
    X509CRLEntry plain = crl.getRevokedCertificate(BigInteger.valueOf(0x1234));
    assertNull(plain.getExtensionValue(Extension.reasonCode.getId()), "unspecified is written as no reason code");

    assertEquals(2, crl.getVersion());
    assertEquals(hierarchy.intermediate().certificate().getSubjectX500Principal(), crl.getIssuerX500Principal());
    assertEquals(NOW, crl.getThisUpdate().toInstant());
    assertEquals(NOW.plus(Duration.ofDays(1)), crl.getNextUpdate().toInstant());
  }

  @Test
  void isSignedByTheIntermediateAndNamesItsKey() throws Exception {
    X509CRL crl = builder.build(List.of(), BigInteger.valueOf(42), NOW, NOW.plus(Duration.ofDays(7)));
    crl.verify(hierarchy.intermediate().certificate().getPublicKey());
    assertThrows(SignatureException.class, () -> crl.verify(hierarchy.root().getPublicKey()));

    byte[] number = ASN1OctetString.getInstance(crl.getExtensionValue(Extension.cRLNumber.getId())).getOctets();
    assertEquals(BigInteger.valueOf(42), ASN1Integer.getInstance(number).getValue());
    byte[] aki = ASN1OctetString.getInstance(crl.getExtensionValue(Extension.authorityKeyIdentifier.getId())).getOctets();
    byte[] ski = ASN1OctetString.getInstance(
        hierarchy.intermediate().certificate().getExtensionValue(Extension.subjectKeyIdentifier.getId())).getOctets();
    assertArrayEquals(SubjectKeyIdentifier.getInstance(ski).getKeyIdentifier(),
        AuthorityKeyIdentifier.getInstance(aki).getKeyIdentifierOctets());
  }

  @Test
  void roundTripsThroughPem() throws Exception {
    X509CRL crl = builder.build(
        List.of(new RevokedCertificate(BigInteger.TEN, NOW, RevocationReason.SUPERSEDED)),
        BigInteger.ONE, NOW, NOW.plus(Duration.ofDays(7)));
    String pem = Pem.crl(crl);
    assertTrue(pem.startsWith("-----BEGIN X509 CRL-----"), pem);
    X509CRL parsed = (X509CRL) CertificateFactory.getInstance("X.509")
        .generateCRL(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
    assertArrayEquals(crl.getEncoded(), parsed.getEncoded());
    assertNotNull(parsed.getRevokedCertificate(BigInteger.TEN));
  }

  @Test
  void refusesDuplicateSerialsAndAnEmptyUpdateWindow() {
    RevokedCertificate entry = new RevokedCertificate(BigInteger.TEN, NOW, RevocationReason.UNSPECIFIED);
    assertThrows(IllegalArgumentException.class,
        () -> builder.build(List.of(entry, entry), BigInteger.ONE, NOW, NOW.plusSeconds(60)));
    assertThrows(IllegalArgumentException.class,
        () -> builder.build(List.of(), BigInteger.ONE, NOW, NOW));
    assertThrows(IllegalArgumentException.class,
        () -> new RevokedCertificate(BigInteger.ZERO, NOW, RevocationReason.UNSPECIFIED));
    assertThrows(IllegalArgumentException.class, () -> RevokedCertificate.of("xyz", NOW, RevocationReason.UNSPECIFIED));
  }

  @Test
  void refusesToSignWithAnExpiredIntermediate() {
    Instant afterExpiry = hierarchy.intermediate().certificate().getNotAfter().toInstant().plusSeconds(1);
    assertThrows(IllegalStateException.class,
        () -> builder.build(List.of(), BigInteger.ONE, afterExpiry, afterExpiry.plusSeconds(60)));
  }
}
