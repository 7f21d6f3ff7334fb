package dev.taskcert.pki.ca;

import dev.taskcert.pki.pem.EncryptedPem;

/**
 * How CA private keys are stored at rest: encrypted with the operator's passphrase, or, for
 * development only, in the clear. A key is loaded only if it is stored the way the protection
 * says, so a production CA never silently falls back to an unencrypted key.
 */
public sealed interface KeyProtection permits KeyProtection.Unencrypted, KeyProtection.Encrypted {

  /** Keys in the clear: development CAs only. */
  static KeyProtection none() {
    return new Unencrypted();
  }

  /** Keys encrypted under {@code passphrase} at the default key-derivation cost. */
  static KeyProtection passphrase(Passphrase passphrase) {
    return new Encrypted(passphrase, EncryptedPem.DEFAULT_ITERATIONS);
  }

  /** Words for messages: how keys are protected. */
  String describe();

  /** Keys are written and expected as unencrypted PKCS#8. */
  record Unencrypted() implements KeyProtection {
    @Override
    public String describe() {
      return "not encrypted";
    }
  }

  /**
   * Keys are written and expected as encrypted PKCS#8.
   *
   * @param kdfIterations PBKDF2 iterations used when writing a key; reading takes the count
   *     recorded in the file
   */
  record Encrypted(Passphrase passphrase, int kdfIterations) implements KeyProtection {
    public Encrypted {
      if (passphrase == null) {
        throw new IllegalArgumentException("an encrypted key protection needs a passphrase");
      }
      if (kdfIterations < EncryptedPem.MIN_ITERATIONS) {
        throw new IllegalArgumentException(
            "PBKDF2 iterations must be at least " + EncryptedPem.MIN_ITERATIONS);
      }
    }

    @Override
    public String describe() {
      return "encrypted with the passphrase from " + passphrase.source();
    }
  }
}
