package dev.taskcert.pki.ca;

import dev.taskcert.pki.crypto.BouncyCastle;
import java.security.Provider;

/**
 * Where an intermediate's private key is and so which provider signs with it: in memory (read
 * from a key file, or just generated), or a handle to a key that never leaves a PKCS#11 token.
 */
public sealed interface CaKeySource permits CaKeySource.InMemory, CaKeySource.InToken {

  /**
   * A key held in this process: the CA signs certificates with it through the signature provider in
   * force ({@link dev.taskcert.pki.issuance.CertificateIssuer}), and CRLs through BouncyCastle.
   */
  static CaKeySource inMemory() {
    return new InMemory();
  }

  /**
   * The JCA provider that signs with the key as loaded: the token's, or BouncyCastle for a key in
   * memory (certificates take the provider in force instead, after converting the key once).
   */
  Provider signingProvider();

  /** Words for messages: where the key is. */
  String describe();

  /** The key's bytes are in this process. */
  record InMemory() implements CaKeySource {
    @Override
    public Provider signingProvider() {
      return BouncyCastle.PROVIDER;
    }

    @Override
    public String describe() {
      return "in a key file";
    }
  }

  /**
   * The key is in a PKCS#11 token; this process holds only a handle to it.
   *
   * @param label the key's label in the token
   * @param provider the SunPKCS11 provider logged in to the token
   */
  record InToken(String label, Provider provider) implements CaKeySource {
    @Override
    public Provider signingProvider() {
      return provider;
    }

    @Override
    public String describe() {
      return "in the PKCS#11 token " + provider.getName() + " under label '" + label + "'";
    }
  }
}
