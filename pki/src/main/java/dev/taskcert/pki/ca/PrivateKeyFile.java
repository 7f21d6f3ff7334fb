package dev.taskcert.pki.ca;

import dev.taskcert.pki.pem.EncryptedPem;
import dev.taskcert.pki.pem.Pem;
import dev.taskcert.pki.pem.PemException;
import dev.taskcert.pki.pem.WrongPassphraseException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.Arrays;

/**
 * One CA private key on disk. Written with mode 0600 as encrypted or plain PKCS#8 according to its
 * {@link KeyProtection}; on reading, refused when group or others can read it, and refused when it
 * is not stored the way the protection says.
 */
public final class PrivateKeyFile {
  private final Path file;
  private final KeyProtection protection;

  public PrivateKeyFile(Path file, KeyProtection protection) {
    this.file = file;
    this.protection = protection;
  }

  public Path path() {
    return file;
  }

  public boolean exists() {
    return Files.exists(file);
  }

  /**
   * Reads and, if protected, decrypts the key.
   *
   * @throws CaLoadException when the file is missing, too open, stored differently from the
   *     protection, not a key, or the passphrase is wrong; the message says which
   */
  public PrivateKey read() throws IOException, CaLoadException {
    if (!exists()) {
      throw new CaLoadException(file + " does not exist");
    }
    CaFiles.requirePrivate(file, file.toString());
    String pem = new String(CaFiles.read(file), StandardCharsets.US_ASCII);
    try {
      boolean encrypted = EncryptedPem.isEncrypted(pem);
      if (protection instanceof KeyProtection.Encrypted withPassphrase) {
        if (!encrypted) {
          throw new CaLoadException(
              file + " is not encrypted, but a passphrase is configured; refusing a CA key stored"
                  + " in the clear (write it encrypted, or configure no passphrase for a"
                  + " development CA)");
        }
        return decrypt(pem, withPassphrase.passphrase());
      }
      if (encrypted) {
        throw new CaLoadException(file + " is encrypted, but no passphrase is configured");
      }
      return Pem.parsePrivateKey(pem);
    } catch (PemException e) {
      throw new CaLoadException(file + ": " + e.getMessage());
    }
  }

  /**
   * Reads the key and checks that it is the private half of {@code certificate}'s public key.
   */
  public PrivateKey readMatching(X509Certificate certificate) throws IOException, CaLoadException {
    PrivateKey key = read();
    if (!KeyPairs.matches(certificate.getPublicKey(), key)) {
      throw new CaLoadException(
          file + " does not match the public key of its certificate ("
              + certificate.getSubjectX500Principal().getName() + ")");
    }
    return key;
  }

  /** Writes {@code key} (mode 0600), encrypted if the protection says so. */
  public void write(PrivateKey key, SecureRandom random) throws IOException {
    String pem;
    if (protection instanceof KeyProtection.Encrypted withPassphrase) {
      char[] characters = withPassphrase.passphrase().characters();
      try {
        pem = EncryptedPem.encrypt(key, characters, withPassphrase.kdfIterations(), random);
      } finally {
        Arrays.fill(characters, '\0');
      }
    } else {
      pem = Pem.privateKey(key);
    }
    CaFiles.writeSecret(file, pem);
  }

  private PrivateKey decrypt(String pem, Passphrase passphrase)
      throws PemException, CaLoadException {
    char[] characters = passphrase.characters();
    try {
      return EncryptedPem.decrypt(pem, characters);
    } catch (WrongPassphraseException e) {
      throw new CaLoadException(
          file + ": wrong passphrase: the passphrase from " + passphrase.source()
              + " does not decrypt this key");
    } finally {
      Arrays.fill(characters, '\0');
    }
  }
}
