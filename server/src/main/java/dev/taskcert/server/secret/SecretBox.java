package dev.taskcert.server.secret;

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
 * file readable by the server's user only. Each ciphertext is bound to its record's id (as
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

  /** Loads the key file, refusing one that group or others can read. */
  public static SecretBox load(Path keyFile, SecureRandom random) throws IOException {
    if (!Files.exists(keyFile)) {
      throw new IOException("secret key file " + keyFile + " does not exist");
    }
    Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(keyFile);
    if (!OWNER_ONLY.containsAll(permissions)) {
      throw new IOException("secret key file " + keyFile + " is readable by group or others; run chmod 600 on it");
    }
    byte[] key;
    try {
      key = Base64.getDecoder().decode(Files.readString(keyFile, StandardCharsets.US_ASCII).trim());
    } catch (IllegalArgumentException e) {
      throw new IOException("secret key file " + keyFile + " is not base64");
    }
    if (key.length != 32) {
      throw new IOException("secret key file " + keyFile + " must hold 32 bytes (base64), found " + key.length);
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
