package dev.taskcert.pki.pem;

/**
 * Thrown when an encrypted private key cannot be decrypted with the passphrase given. A corrupted
 * file looks the same to the decryptor, so the message cannot tell the two apart.
 */
public final class WrongPassphraseException extends Exception {
  private static final long serialVersionUID = 1L;

  public WrongPassphraseException(String message) {
    super(message);
  }
}
