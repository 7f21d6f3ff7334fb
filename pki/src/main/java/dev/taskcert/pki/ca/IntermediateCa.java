package dev.taskcert.pki.ca;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Objects;

/**
 * The online signing authority: the intermediate certificate, its private key, and the root it
 * chains to. Only this key is needed to issue task certificates; the root key can stay offline.
 *
 * @param privateKey the key itself, or a handle to it when {@code keySource} is a token
 * @param keySource where the key is, which decides the provider that signs with it
 */
public record IntermediateCa(
    X509Certificate certificate, PrivateKey privateKey, X509Certificate root, CaKeySource keySource) {

  public IntermediateCa {
    Objects.requireNonNull(keySource, "key source");
  }

  /** An intermediate whose key is held in memory. */
  public IntermediateCa(X509Certificate certificate, PrivateKey privateKey, X509Certificate root) {
    this(certificate, privateKey, root, CaKeySource.inMemory());
  }
}
