package dev.taskcert.pki.ca;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * The operator's passphrase that encrypts CA private keys at rest, read from an environment
 * variable or from a file only its owner can read.
 *
 * <p>Not a record on purpose: {@link #toString()} names only where the passphrase came from, and
 * the characters are handed out as copies.
 */
public final class Passphrase {
  /** Shortest passphrase accepted. */
  public static final int MIN_LENGTH = 12;
  /** Largest passphrase file read, in bytes. */
  public static final int MAX_FILE_BYTES = 1024;

  private final char[] characters;
  private final String source;

  private Passphrase(char[] characters, String source) throws CaLoadException {
    if (characters.length < MIN_LENGTH) {
      throw new CaLoadException(
          "the passphrase from " + source + " is " + characters.length
              + " characters long; at least " + MIN_LENGTH + " are required");
    }
    this.characters = characters;
    this.source = source;
  }

  /** A passphrase given directly, e.g. by a secret manager client. The array is copied. */
  public static Passphrase of(char[] characters) throws CaLoadException {
    return new Passphrase(characters.clone(), "the caller");
  }

  /** The passphrase in environment variable {@code name} of this process. */
  public static Passphrase fromEnv(String name) throws CaLoadException {
    return fromEnv(name, System.getenv());
  }

  /** The passphrase in variable {@code name} of {@code environment}, used exactly as set. */
  public static Passphrase fromEnv(String name, Map<String, String> environment)
      throws CaLoadException {
    String source = "environment variable " + name;
    return new Passphrase(nonEmpty(SecretText.fromEnv(name, environment, source), source), source);
  }

  /**
   * The passphrase in {@code file}: one line of UTF-8, a single trailing newline ignored. The file
   * must not be readable or writable by group or others.
   */
  public static Passphrase fromFile(Path file) throws IOException, CaLoadException {
    String source = "passphrase file " + file;
    return new Passphrase(nonEmpty(SecretText.singleLineFile(file, source, MAX_FILE_BYTES), source), source);
  }

  private static char[] nonEmpty(char[] characters, String source) throws CaLoadException {
    if (characters.length == 0) {
      throw new CaLoadException(source + " is empty");
    }
    return characters;
  }

  /** A copy of the passphrase's characters; overwrite it when done. */
  public char[] characters() {
    return characters.clone();
  }

  /** Where the passphrase came from, e.g. {@code environment variable TASKCERT_CA_PASSPHRASE}. */
  public String source() {
    return source;
  }

  @Override
  public String toString() {
    return "Passphrase[from " + source + "]";
  }
}
