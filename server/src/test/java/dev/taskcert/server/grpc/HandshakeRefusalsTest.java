package dev.taskcert.server.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.taskcert.pki.ca.CaHierarchy;
import dev.taskcert.pki.ca.KeyAlgorithm;
import dev.taskcert.pki.ca.TrustBundle;
import dev.taskcert.pki.crypto.SignatureProvider;
import dev.taskcert.pki.identity.AdminIdentity;
import dev.taskcert.pki.identity.SpiffeIdCodec;
import dev.taskcert.pki.identity.TrustDomain;
import dev.taskcert.pki.issuance.CertificateBuilder;
import dev.taskcert.pki.issuance.CertificateIssuer;
import dev.taskcert.pki.issuance.IssuancePolicy;
import dev.taskcert.server.grpc.HandshakeRefusals.Reason;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.junit.jupiter.api.Test;

/** Each way a client chain fails verification is told apart, as an operator would need it. */
class HandshakeRefusalsTest {
  private static final TrustDomain DOMAIN = new TrustDomain("refusals.example");
  private final SecureRandom random = new SecureRandom();
  private final Instant now = Instant.now();
  private final CaHierarchy ca = CaHierarchy.create(DOMAIN, KeyAlgorithm.EC_P256, now, random);
  private final TrustBundle bundle = new TrustBundle(List.of(ca.root()));

  private X509Certificate[] issuedChain() {
    KeyPair keys = KeyAlgorithm.EC_P256.generate(random);
    return new CertificateIssuer(ca.intermediate(), new SpiffeIdCodec(DOMAIN), IssuancePolicy.DEFAULT, random)
        .issueAdmin(keys.getPublic(), new AdminIdentity("ops"), now, Duration.ofHours(1)).chain()
        .toArray(X509Certificate[]::new);
  }

  @Test
  void tellsTheReasonsApart() throws Exception {
    X509Certificate[] good = issuedChain();
    assertEquals(Reason.OTHER, HandshakeRefusals.classify(good, bundle, now, null), "a good chain has no reason of its own");
    assertEquals(Reason.EMPTY_CHAIN, HandshakeRefusals.classify(new X509Certificate[0], bundle, now, null));
    assertEquals(Reason.NO_INTERMEDIATE, HandshakeRefusals.classify(new X509Certificate[] {good[0]}, bundle, now, null));
    assertEquals(Reason.EXPIRED, HandshakeRefusals.classify(good, bundle, now.plus(Duration.ofHours(2)), null));
    assertEquals(Reason.NOT_YET_VALID, HandshakeRefusals.classify(good, bundle, now.minus(Duration.ofHours(2)), null));
    CaHierarchy foreign = CaHierarchy.create(DOMAIN, KeyAlgorithm.EC_P256, now, random);
    assertEquals(Reason.UNTRUSTED_ISSUER, HandshakeRefusals.classify(good, new TrustBundle(List.of(foreign.root())), now, null));

    KeyPair keys = KeyAlgorithm.EC_P256.generate(random);
    X509Certificate serverOnly = CertificateBuilder.issuedBy(ca.intermediate().certificate(),
            ca.intermediate().privateKey(), new X500Name("O=taskcert"), keys.getPublic(), now.minusSeconds(60),
            now.plusSeconds(600), random)
        .extension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth))
        .sign();
    assertEquals(Reason.NO_CLIENT_AUTH, HandshakeRefusals.classify(
        new X509Certificate[] {serverOnly, ca.intermediate().certificate()}, bundle, now, null));
  }

  /** The native provider checks a refused chain's signature and tells the same reasons apart. */
  @Test
  void tellsTheReasonsApartWithTheNativeProvider() {
    String provider = SignatureProvider.preferred().certPathProvider();
    assertNotNull(provider, "the native provider loads on this machine");
    X509Certificate[] good = issuedChain();
    assertEquals(Reason.OTHER, HandshakeRefusals.classify(good, bundle, now, provider));
    CaHierarchy foreign = CaHierarchy.create(DOMAIN, KeyAlgorithm.EC_P256, now, random);
    assertEquals(Reason.UNTRUSTED_ISSUER,
        HandshakeRefusals.classify(good, new TrustBundle(List.of(foreign.root())), now, provider));
  }
}
