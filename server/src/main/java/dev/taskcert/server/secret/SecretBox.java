package dev.taskcert.server.secret;

import dev.taskcert.pki.ca.CaFiles;
import dev.taskcert.pki.ca.CaLoadException;
import dev.taskcert.server.config.ServerConfigLoader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Set;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Encrypts secrets at rest (connection passwords) with AES-256-GCM under a server key kept in a
 * file private to the server. Each ciphertext is bound to its record's id (as
 * associated data), so a ciphertext copied to another row does not decrypt.
 *
 * <p>Format: version byte {@code 1}, 12-byte random nonce, ciphertext with 16-byte tag.
 */
public final class SecretBox {
  private static final byte VERSION = 1;
  private static final int NONCE_BYTES = 12;
  private static final int TAG_BITS = 128;
  private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

  private final SecretKeySpec key;
  private final SecureRandom random;

  private SecretBox(byte[] key, SecureRandom random) {
    this.key = new SecretKeySpec(key, "AES");
    this.random = random;
  }

  /** How to make a key file, for the messages that refuse one. */
  static final String HOW_TO_CREATE = "head -c 32 /dev/urandom | base64 > FILE && chmod 600 FILE";

  /** Loads the key file, refusing one that is not private to the server or holds no key. */
  public static SecretBox load(Path keyFile, SecureRandom random) throws IOException {
    return load(keyFile, random, "secret key file " + keyFile);
  }

  /**
   * Loads the key file, refusing one that is not private to the server (see
   * {@link CaFiles#requirePrivate}) or holds no key; {@code what} names the file in the messages,
   * each of which ends with the fix.
   */
  public static SecretBox load(Path keyFile, SecureRandom random, String what) throws IOException {
    if (!Files.exists(keyFile)) {
      throw new IOException(what + " does not exist: restore it from the backup, or for a new installation"
          + " create one with '" + HOW_TO_CREATE + "'");
    }
    try {
      CaFiles.requirePrivate(keyFile, what);
    } catch (CaLoadException e) {
      throw new IOException(e.getMessage()
          + (Files.isDirectory(keyFile) ? ": point it at the key file ('" + HOW_TO_CREATE + "')" : ""));
    } catch (IOException e) {
      throw new IOException(what + " cannot be read: " + ServerConfigLoader.why(e), e);
    }
    byte[] key;
    try {
      key = Base64.getDecoder().decode(Files.readString(keyFile, StandardCharsets.US_ASCII).trim());
    } catch (IllegalArgumentException | java.nio.charset.CharacterCodingException e) {
      throw new IOException(what + " is not base64: it must hold 32 random bytes in base64 (restore it from the"
          + " backup, or for a new installation create it with '" + HOW_TO_CREATE + "')");
    } catch (IOException e) {
      throw new IOException(what + " cannot be read: " + ServerConfigLoader.why(e), e);
    }
    if (key.length != 32) {
      throw new IOException(what + " must hold 32 bytes (base64), found " + key.length + " (restore it from the"
          + " backup, or for a new installation create it with '" + HOW_TO_CREATE + "')");
    }
    return new SecretBox(key, random);
  }

  /** Loads the key file, first creating it with a fresh random key (mode 0600) if it is missing. */
  public static SecretBox loadOrCreate(Path keyFile, SecureRandom random) throws IOException {
    if (!Files.exists(keyFile)) {
      byte[] key = new byte[32];
      random.nextBytes(key);
      Files.createDirectories(keyFile.toAbsolutePath().getParent());
      Files.createFile(keyFile, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
      Files.writeString(keyFile, Base64.getEncoder().encodeToString(key) + "\n", StandardCharsets.US_ASCII);
    }
    return load(keyFile, random);
  }

  /** Encrypts {@code plaintext} for the record named {@code recordId}. */
  public byte[] seal(String plaintext, String recordId) {
    byte[] nonce = new byte[NONCE_BYTES];
    random.nextBytes(nonce);
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
      cipher.updateAAD(recordId.getBytes(StandardCharsets.UTF_8));
      byte[] sealed = cipher.doFinal(plaintext.getBytes(StandardCharsets.UTF_8));
      return ByteBuffer.allocate(1 + NONCE_BYTES + sealed.length).put(VERSION).put(nonce).put(sealed).array();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM is unavailable", e);
    }
  }

  /**
   * Decrypts what {@link #seal} produced for the same record.
   *
   * @throws IllegalStateException if the data was tampered with, belongs to another record, or was
   *     sealed under another key
   */
  public String open(byte[] sealed, String recordId) {
    if (sealed.length < 1 + NONCE_BYTES + TAG_BITS / 8 || sealed[0] != VERSION) {
      throw new IllegalStateException("stored secret has an unknown format");
    }
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, sealed, 1, NONCE_BYTES));
      cipher.updateAAD(recordId.getBytes(StandardCharsets.UTF_8));
      byte[] plaintext = cipher.doFinal(sealed, 1 + NONCE_BYTES, sealed.length - 1 - NONCE_BYTES);
      return new String(plaintext, StandardCharsets.UTF_8);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("stored secret does not decrypt with the server key", e);
    }
  }
}
