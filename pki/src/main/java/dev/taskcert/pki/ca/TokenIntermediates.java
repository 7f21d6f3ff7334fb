package dev.taskcert.pki.ca;

import dev.taskcert.pki.identity.TrustDomain;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;

/**
 * Creates intermediates whose key is generated in, and never leaves, a PKCS#11 token: the key pair
 * is made in the token, the root certifies its public half, and the key is stored under a label
 * together with that certificate and the root.
 */
public final class TokenIntermediates {
  private TokenIntermediates() {}

  /**
   * A new intermediate under {@code root} with its key in {@code token} as {@code label}.
   *
   * @throws CaLoadException if the label is taken or the token refuses to make or store the key
   */
  public static IntermediateCa create(
      Pkcs11Token token,
      TokenKeyReference label,
      TrustDomain trustDomain,
      RootCa root,
      KeyAlgorithm algorithm,
      Instant now,
      SecureRandom random)
      throws CaLoadException {
    if (token.holds(label.label())) {
      throw new CaLoadException(token.describe() + " already holds an object labelled '" + label.label()
          + "'; choose another label");
    }
    KeyPair keys = token.generateKeyPair(algorithm);
    X509Certificate certificate = CaHierarchy.certifyIntermediate(
        trustDomain, root.certificate(), root.privateKey(), keys.getPublic(), now, random);
    PrivateKey stored = token.store(label.label(), keys.getPrivate(), List.of(certificate, root.certificate()));
    return new IntermediateCa(
        certificate, stored, root.certificate(), new CaKeySource.InToken(label.label(), token.provider()));
  }
}
