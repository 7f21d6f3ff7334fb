package dev.taskcert.pki.crypto;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.spec.PKCS8EncodedKeySpec;
import org.bouncycastle.jce.provider.BouncyCastleProvider;

/** The BouncyCastle provider instance used explicitly by the CA, without installing it JVM-wide. */
public final class BouncyCastle {
  /** A stateless provider instance; passed to builders rather than registered globally. */
  public static final Provider PROVIDER = new BouncyCastleProvider();

  private BouncyCastle() {}

  /**
   * {@code key} as this provider's own key class, for signing many times with it. Given a key of
   * another provider, BouncyCastle converts it on every signature and so rebuilds its precomputed
   * EC tables each time (about three times the cost of the signature itself); its own keys name
   * their curve and reuse the tables. Returns {@code key} unchanged if it cannot be exported.
   */
  public static PrivateKey signingKey(PrivateKey key) {
    byte[] encoded = key.getEncoded();
    if (encoded == null) {
      return key;
    }
    try {
      return KeyFactory.getInstance(key.getAlgorithm(), PROVIDER).generatePrivate(new PKCS8EncodedKeySpec(encoded));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("BouncyCastle cannot read a " + key.getAlgorithm() + " CA key", e);
    }
  }
}
