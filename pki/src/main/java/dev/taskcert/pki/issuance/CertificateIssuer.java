package dev.taskcert.pki.issuance;

import dev.taskcert.pki.ca.CaKeySource;
import dev.taskcert.pki.ca.KeyAlgorithm;
import dev.taskcert.pki.crypto.SignatureProvider;
import dev.taskcert.pki.crypto.SigningKey;
import dev.taskcert.pki.ca.IntermediateCa;
import dev.taskcert.pki.identity.AdminIdentity;
import dev.taskcert.pki.identity.SpiffeIdCodec;
import dev.taskcert.pki.identity.WorkloadIdentity;
import java.math.BigInteger;
import java.net.InetAddress;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;

/**
 * Issues leaf certificates under the intermediate CA.
 *
 * <p>Client certificates carry exactly one URI SAN, the SPIFFE ID of the identity the caller
 * passes in (which the server reads from its database, never from the CSR); {@code CA:false},
 * key usage {@code digitalSignature}, EKU {@code serverAuth} and {@code clientAuth} (X.509-SVID
 * §4.4: when EKU is present both are set; clients never take a leaf with a SPIFFE ID for the
 * server, see docs/identity.md); not-before backdated by the policy, but never so far that the
 * whole window exceeds the maximum lifetime; not-after never later than the intermediate's.
 */
public final class CertificateIssuer {
  private final IntermediateCa ca;
  /**
   * The intermediate's key as the signing provider's own key object, converted once (see {@link
   * SigningKey}), or the handle to it when it is in a token.
   */
  private final PrivateKey signingKey;
  private final Provider signingProvider;
  private final SpiffeIdCodec codec;
  private final IssuancePolicy policy;
  private final SecureRandom random;
  private final ClientCertificateTemplate clientTemplate;

  /** An issuer signing with the preferred provider (see {@link SignatureProvider#preferred}). */
  public CertificateIssuer(
      IntermediateCa ca, SpiffeIdCodec codec, IssuancePolicy policy, SecureRandom random) {
    this(ca, codec, policy, random, SignatureProvider.preferred());
  }

  /**
   * An issuer whose in-memory intermediate key signs through {@code signatures}' provider (or
   * BouncyCastle, should that provider lack the key's algorithm); a key in a PKCS#11 token always
   * signs in its token.
   */
  public CertificateIssuer(
      IntermediateCa ca, SpiffeIdCodec codec, IssuancePolicy policy, SecureRandom random,
      SignatureProvider signatures) {
    this.ca = ca;
    SigningKey key = ca.keySource() instanceof CaKeySource.InToken
        ? SigningKey.inPlace(ca.privateKey(), ca.keySource().signingProvider())
        : SigningKey.inMemory(ca.privateKey(), KeyAlgorithm.signatureAlgorithmFor(ca.certificate().getPublicKey()),
            signatures);
    this.signingKey = key.key();
    this.signingProvider = key.provider();
    this.codec = codec;
    this.policy = policy;
    this.random = random;
    this.clientTemplate = new ClientCertificateTemplate(ca.certificate(),
        KeyAlgorithm.signatureAlgorithmFor(ca.certificate().getPublicKey()), signingKey, signingProvider);
  }

  public IssuancePolicy policy() {
    return policy;
  }

  public IntermediateCa ca() {
    return ca;
  }

  /** The provider that signs the certificates: the one in force, BouncyCastle, or the token's. */
  public Provider signingProvider() {
    return signingProvider;
  }

  /** The key it signs with, as that provider's own object (or the token's handle). */
  PrivateKey signingKey() {
    return signingKey;
  }

  /** Issues a client certificate for {@code identity} with the policy's lifetime. */
  public IssuedCertificate issueClient(PublicKey subjectKey, WorkloadIdentity identity, Instant now) {
    return issueClient(subjectKey, identity, now, policy.lifetime());
  }

  /** Issues a client certificate for {@code identity} with an explicit lifetime (capped by the policy maximum). */
  public IssuedCertificate issueClient(
      PublicKey subjectKey, WorkloadIdentity identity, Instant now, Duration lifetime) {
    if (lifetime.compareTo(IssuancePolicy.MAX_LIFETIME) > 0) {
      throw new IllegalArgumentException(
          "client certificate lifetime must be at most " + IssuancePolicy.MAX_LIFETIME + ", got " + lifetime);
    }
    return clientCertificate(subjectKey, identity, now, lifetime, IssuancePolicy.MAX_LIFETIME);
  }

  /**
   * Issues an admin or operator client certificate with a lifetime the operator chose, at most
   * {@link IssuancePolicy#MAX_ADMIN_LIFETIME}. Task certificates never take this path.
   */
  public IssuedCertificate issueAdmin(
      PublicKey subjectKey, AdminIdentity identity, Instant now, Duration lifetime) {
    if (lifetime.compareTo(IssuancePolicy.MAX_ADMIN_LIFETIME) > 0) {
      throw new IllegalArgumentException(
          "admin certificate lifetime must be at most " + IssuancePolicy.MAX_ADMIN_LIFETIME
              + ", got " + lifetime);
    }
    return clientCertificate(subjectKey, identity, now, lifetime, IssuancePolicy.MAX_ADMIN_LIFETIME);
  }

  private IssuedCertificate clientCertificate(
      PublicKey subjectKey, WorkloadIdentity identity, Instant now, Duration lifetime, Duration maxWindow) {
    String spiffeId = codec.encode(identity);
    Window window = window(now, lifetime, maxWindow);
    BigInteger serial = CertificateBuilder.randomSerial(random);
    byte[] leaf = clientTemplate.sign(serial, window.notBefore(), window.notAfter(), identity, subjectKey, spiffeId);
    return new IssuedCertificate(
        leaf, List.of(ca.certificate()), serial.toString(16), window.notBefore(), window.notAfter(), spiffeId);
  }

  /**
   * Issues a TLS server certificate for the given DNS names and IP addresses, EKU {@code serverAuth}.
   */
  public IssuedCertificate issueServer(
      PublicKey subjectKey, List<String> dnsNames, List<InetAddress> addresses, Instant now, Duration lifetime) {
    List<GeneralName> names = new ArrayList<>();
    dnsNames.forEach(name -> names.add(new GeneralName(GeneralName.dNSName, name)));
    addresses.forEach(
        address -> names.add(new GeneralName(GeneralName.iPAddress, address.getHostAddress())));
    if (names.isEmpty()) {
      throw new IllegalArgumentException("a server certificate needs at least one DNS name or IP address");
    }
    Window window = window(now, lifetime, null);
    X500Name subject =
        new X500NameBuilder(BCStyle.INSTANCE)
            .addRDN(BCStyle.O, "taskcert")
            .addRDN(BCStyle.CN, dnsNames.isEmpty() ? "taskcert server" : dnsNames.get(0))
            .build();
    CertificateBuilder builder =
        CertificateBuilder.issuedBy(
                ca.certificate(), signingKey, subject, subjectKey,
                window.notBefore(), window.notAfter(), random)
            .signingProvider(signingProvider)
            .extension(Extension.basicConstraints, true, new BasicConstraints(false))
            .extension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
            .extension(
                Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth))
            .extension(
                Extension.subjectAlternativeName, false, new GeneralNames(names.toArray(new GeneralName[0])));
    return finish(builder, window, null);
  }

  private IssuedCertificate finish(CertificateBuilder builder, Window window, String spiffeId) {
    X509Certificate leaf = builder.sign();
    return new IssuedCertificate(IssuedCertificate.der(leaf), List.of(ca.certificate()),
        builder.serial().toString(16), window.notBefore(), window.notAfter(), spiffeId);
  }

  /**
   * The validity window: from {@code now} minus the backdate to {@code now} plus {@code lifetime},
   * within the intermediate's own window, in whole seconds. With a {@code maxWindow}, the backdate
   * shrinks so that notAfter minus notBefore never exceeds it: the documented maximum lifetime
   * holds for the whole window a stolen key could be used in, not only from the moment of issue.
   */
  private Window window(Instant now, Duration lifetime, Duration maxWindow) {
    if (lifetime.isNegative() || lifetime.isZero()) {
      throw new IllegalArgumentException("lifetime must be positive, got " + lifetime);
    }
    Instant caNotAfter = ca.certificate().getNotAfter().toInstant();
    if (!now.isBefore(caNotAfter)) {
      throw new IllegalStateException("the intermediate CA expired at " + caNotAfter + "; rotate it");
    }
    Instant caNotBefore = ca.certificate().getNotBefore().toInstant();
    // X.509 times have one-second precision; truncate so the recorded window matches the certificate.
    Instant notAfter = wholeSeconds(now.plus(lifetime));
    if (notAfter.isAfter(caNotAfter)) {
      notAfter = caNotAfter;
    }
    Instant notBefore = wholeSeconds(now.minus(policy.backdate()));
    if (maxWindow != null && notBefore.isBefore(notAfter.minus(maxWindow))) {
      notBefore = notAfter.minus(maxWindow);
    }
    if (notBefore.isBefore(caNotBefore)) {
      notBefore = caNotBefore;
    }
    return new Window(notBefore, notAfter);
  }

  private static Instant wholeSeconds(Instant instant) {
    return Instant.ofEpochSecond(instant.getEpochSecond());
  }

  private record Window(Instant notBefore, Instant notAfter) {}
}
