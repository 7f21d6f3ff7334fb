package dev.taskcert.pki.crypto;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.spec.PKCS8EncodedKeySpec;

/**
 * A private key to sign with many times, and the provider that signs with it, the key already
 * that provider's own key object. Given another provider's key, a provider converts it at every
 * signature: BouncyCastle rebuilds its precomputed EC tables (about three times the cost of the
 * signature itself), the native provider re-encodes and re-parses the key in native memory.
 *
 * @param key the key, as {@code provider}'s own object (or a token's handle)
 * @param provider the provider that signs with it
 */
public record SigningKey(PrivateKey key, Provider provider) {

  /**
   * {@code key}, held in this process, converted once for the provider of {@code signatures}; for
   * BouncyCastle's instead when that provider offers no {@code signatureAlgorithm} or no key
   * factory for the key.
   */
  public static SigningKey inMemory(PrivateKey key, String signatureAlgorithm, SignatureProvider signatures) {
    Provider provider = signatures.provider();
    if (provider.getService("Signature", signatureAlgorithm) == null
        || provider.getService("KeyFactory", key.getAlgorithm()) == null) {
      provider = BouncyCastle.PROVIDER;
    }
    return new SigningKey(convert(key, provider), provider);
  }

  /** A key that stays where it is (a PKCS#11 token's handle), signed with by that token's provider. */
  public static SigningKey inPlace(PrivateKey key, Provider provider) {
    return new SigningKey(key, provider);
  }

  /**
   * {@code key} as {@code provider}'s own key object; unchanged if it cannot be exported.
   *
   * @throws IllegalStateException if the provider cannot read it
   */
  public static PrivateKey convert(PrivateKey key, Provider provider) {
    byte[] encoded = key.getEncoded();
    if (encoded == null) {
      return key;
    }
    try {
      return KeyFactory.getInstance(key.getAlgorithm(), provider).generatePrivate(new PKCS8EncodedKeySpec(encoded));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(provider.getName() + " cannot read a " + key.getAlgorithm() + " key", e);
    }
  }
}
