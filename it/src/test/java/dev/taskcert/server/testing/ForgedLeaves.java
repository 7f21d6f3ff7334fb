package dev.taskcert.server.testing;

import dev.taskcert.pki.ca.IntermediateCa;
import dev.taskcert.pki.issuance.CertificateBuilder;
import dev.taskcert.server.pki.CaState;
import dev.taskcert.supervisor.credentials.TaskCredentials;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.function.Function;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;

/**
 * Client certificates shaped by a test rather than by the CA's issuance policy, yet signed by the
 * server's real intermediate: the strongest forgery, where only the certificate's contents are wrong.
 */
public final class ForgedLeaves {
  private static final SecureRandom RANDOM = new SecureRandom();

  private ForgedLeaves() {}

  /** A leaf with the given URI SANs, signed by {@code env}'s current intermediate, shaped by {@code tweak}. */
  public static X509Certificate signedByIntermediate(TestEnvironment env, KeyPair keys, Instant notBefore,
      Instant notAfter, Function<CertificateBuilder, CertificateBuilder> tweak, String... uris) {
    IntermediateCa ca = env.instance(CaState.class).current().intermediate();
    GeneralName[] names = new GeneralName[uris.length];
    for (int i = 0; i < uris.length; i++) {
      names[i] = new GeneralName(GeneralName.uniformResourceIdentifier, uris[i]);
    }
    CertificateBuilder builder = CertificateBuilder.issuedBy(ca.certificate(), ca.privateKey(),
        new X500Name("O=taskcert,OU=task"), keys.getPublic(), notBefore, notAfter, RANDOM)
        .extension(Extension.subjectAlternativeName, false, new GeneralNames(names));
    return tweak.apply(builder).sign();
  }

  /** The extensions of a well-formed client leaf: not a CA, digital signature, EKU clientAuth. */
  public static CertificateBuilder clientLeaf(CertificateBuilder builder) {
    return builder.extension(Extension.basicConstraints, true, new BasicConstraints(false))
        .extension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
        .extension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_clientAuth));
  }

  /** Client credentials presenting {@code leaf} (with the intermediate, unless it is self-signed). */
  public static TaskCredentials credentials(TestEnvironment env, X509Certificate leaf, KeyPair keys, String spiffeId)
      throws Exception {
    IntermediateCa ca = env.instance(CaState.class).current().intermediate();
    List<X509Certificate> chain = leaf.getIssuerX500Principal().equals(leaf.getSubjectX500Principal())
        ? List.of(leaf) : List.of(leaf, ca.certificate());
    return new TaskCredentials(keys.getPrivate(), chain, env.supervisorConfig().trustRoots(),
        spiffeId, leaf.getSerialNumber().toString(16), leaf.getNotAfter().toInstant());
  }
}
