package dev.taskcert.pki.ca;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * The user PIN that logs in to a PKCS#11 token, read from an environment variable or from a file
 * only its owner can read. Like {@link Passphrase}, it names only its source in messages and hands
 * its characters out as copies.
 */
public final class TokenPin {
  /** Shortest PIN accepted; PKCS#11 tokens commonly require at least four characters. */
  public static final int MIN_LENGTH = 4;
  /** Largest PIN file read, in bytes. */
  public static final int MAX_FILE_BYTES = 256;

  private final char[] characters;
  private final String source;

  private TokenPin(char[] characters, String source) throws CaLoadException {
    if (characters.length < MIN_LENGTH) {
      throw new CaLoadException(
          "the PIN from " + source + " is " + characters.length + " characters long; at least "
              + MIN_LENGTH + " are required");
    }
    this.characters = characters;
    this.source = source;
  }

  /** The PIN in variable {@code name} of {@code environment}, used exactly as set. */
  public static TokenPin fromEnv(String name, Map<String, String> environment) throws CaLoadException {
    String source = "environment variable " + name;
    return new TokenPin(SecretText.fromEnv(name, environment, source), source);
  }

  /**
   * The PIN in {@code file}: one line of UTF-8, a single trailing newline ignored. The file must
   * not be readable or writable by group or others.
   */
  public static TokenPin fromFile(Path file) throws IOException, CaLoadException {
    String source = "PIN file " + file;
    return new TokenPin(SecretText.singleLineFile(file, source, MAX_FILE_BYTES), source);
  }

  /** A copy of the PIN's characters; overwrite it when done. */
  public char[] characters() {
    return characters.clone();
  }

  /** Where the PIN came from, e.g. {@code PIN file /etc/taskcert/token-pin}. */
  public String source() {
    return source;
  }

  @Override
  public String toString() {
    return "TokenPin[from " + source + "]";
  }
}
