package dev.taskcert.pki.issuance;

import dev.taskcert.pki.identity.TaskIdentity;
import dev.taskcert.pki.identity.WorkloadIdentity;
import java.io.IOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.DERBitString;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x509.TBSCertificate;
import org.bouncycastle.asn1.x509.Time;
import org.bouncycastle.asn1.x509.V3TBSCertificateGenerator;
import org.bouncycastle.cert.bc.BcX509ExtensionUtils;
import org.bouncycastle.operator.DefaultSignatureAlgorithmIdentifierFinder;

/**
 * Everything a client certificate of one intermediate has in common, encoded once: the issuer
 * name, the authority key identifier, the constant extensions, the two subjects and the signature
 * algorithm. Issuing then fills in the serial, window, key, its identifier and the SPIFFE ID, signs
 * the DER of the result and hands it back as DER, without building and re-parsing a JDK
 * certificate on the way.
 *
 * <p>The certificate is the one {@link CertificateBuilder} makes for the same inputs, field for
 * field and extension for extension, in the same order (a test compares them).
 */
final class ClientCertificateTemplate {
  private static final X500Name TASK_SUBJECT = subject("task");
  private static final X500Name ADMIN_SUBJECT = subject("admin");
  private static final Extension BASIC_CONSTRAINTS =
      extension(Extension.basicConstraints, true, new BasicConstraints(false));
  private static final Extension KEY_USAGE =
      extension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
  private static final Extension EXTENDED_KEY_USAGE = extension(Extension.extendedKeyUsage, false,
      new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));

  private final X500Name issuer;
  private final Extension authorityKeyIdentifier;
  private final AlgorithmIdentifier signatureAlgorithm;
  private final String signatureAlgorithmName;
  private final PrivateKey signingKey;
  private final Provider signingProvider;

  ClientCertificateTemplate(
      X509Certificate issuerCertificate, String signatureAlgorithmName, PrivateKey signingKey,
      Provider signingProvider) {
    this.issuer = X500Name.getInstance(issuerCertificate.getSubjectX500Principal().getEncoded());
    SubjectPublicKeyInfo issuerKey = SubjectPublicKeyInfo.getInstance(issuerCertificate.getPublicKey().getEncoded());
    this.authorityKeyIdentifier = extension(
        Extension.authorityKeyIdentifier, false, new BcX509ExtensionUtils().createAuthorityKeyIdentifier(issuerKey));
    this.signatureAlgorithm = new DefaultSignatureAlgorithmIdentifierFinder().find(signatureAlgorithmName);
    this.signatureAlgorithmName = signatureAlgorithmName;
    this.signingKey = signingKey;
    this.signingProvider = signingProvider;
  }

  /** The subject every client certificate of this kind of identity carries. */
  static X500Name subjectFor(WorkloadIdentity identity) {
    return identity instanceof TaskIdentity ? TASK_SUBJECT : ADMIN_SUBJECT;
  }

  /** The DER of the certificate for {@code subjectKey} and {@code identity}, signed. */
  byte[] sign(BigInteger serial, Instant notBefore, Instant notAfter, WorkloadIdentity identity,
      PublicKey subjectKey, String spiffeId) {
    SubjectPublicKeyInfo keyInfo = SubjectPublicKeyInfo.getInstance(subjectKey.getEncoded());
    V3TBSCertificateGenerator generator = new V3TBSCertificateGenerator();
    generator.setSerialNumber(new ASN1Integer(serial));
    generator.setSignature(signatureAlgorithm);
    generator.setIssuer(issuer);
    generator.setStartDate(new Time(Date.from(notBefore)));
    generator.setEndDate(new Time(Date.from(notAfter)));
    generator.setSubject(subjectFor(identity));
    generator.setSubjectPublicKeyInfo(keyInfo);
    generator.setExtensions(new Extensions(new Extension[] {
        // RFC 5280 4.2.1.2, method 1 (SHA-1 of the key's bits), as CertificateBuilder computes it. A
        // new utility each time: its digest is not safe to share between threads.
        extension(Extension.subjectKeyIdentifier, false,
            new BcX509ExtensionUtils().createSubjectKeyIdentifier(keyInfo)),
        authorityKeyIdentifier,
        BASIC_CONSTRAINTS,
        KEY_USAGE,
        EXTENDED_KEY_USAGE,
        extension(Extension.subjectAlternativeName, false,
            new GeneralNames(new GeneralName(GeneralName.uniformResourceIdentifier, spiffeId)))}));
    TBSCertificate tbs = generator.generateTBSCertificate();
    try {
      Signature signature = Signature.getInstance(signatureAlgorithmName, signingProvider);
      signature.initSign(signingKey);
      signature.update(tbs.getEncoded(ASN1Encoding.DER));
      return new DERSequence(new ASN1Encodable[] {tbs, signatureAlgorithm, new DERBitString(signature.sign())})
          .getEncoded(ASN1Encoding.DER);
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("cannot sign certificate", e);
    }
  }

  private static Extension extension(org.bouncycastle.asn1.ASN1ObjectIdentifier oid, boolean critical,
      ASN1Encodable value) {
    try {
      return new Extension(oid, critical, new DEROctetString(value.toASN1Primitive().getEncoded(ASN1Encoding.DER)));
    } catch (IOException e) {
      throw new IllegalStateException("cannot encode extension " + oid, e);
    }
  }

  private static X500Name subject(String unit) {
    return new X500NameBuilder(BCStyle.INSTANCE)
        .addRDN(BCStyle.O, "taskcert")
        .addRDN(BCStyle.OU, unit)
        .build();
  }
}
