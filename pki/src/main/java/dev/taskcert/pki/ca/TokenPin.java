package dev.taskcert.pki.ca;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
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
    String value = environment.get(name);
    String source = "environment variable " + name;
    if (value == null) {
      throw new CaLoadException(source + " is not set");
    }
    return new TokenPin(value.toCharArray(), source);
  }

  /**
   * The PIN in {@code file}: one line of UTF-8, a single trailing newline ignored. The file must
   * not be readable or writable by group or others.
   */
  public static TokenPin fromFile(Path file) throws IOException, CaLoadException {
    String source = "PIN file " + file;
    if (!Files.exists(file)) {
      throw new CaLoadException(source + " does not exist");
    }
    CaFiles.requireOwnerOnly(file, source);
    if (Files.size(file) > MAX_FILE_BYTES) {
      throw new CaLoadException(source + " is larger than " + MAX_FILE_BYTES + " bytes");
    }
    String text = Files.readString(file, StandardCharsets.UTF_8);
    String line = text.endsWith("\r\n") ? text.substring(0, text.length() - 2)
        : text.endsWith("\n") ? text.substring(0, text.length() - 1) : text;
    if (line.indexOf('\n') >= 0 || line.indexOf('\r') >= 0) {
      throw new CaLoadException(source + " must hold a single line");
    }
    char[] characters = line.toCharArray();
    try {
      return new TokenPin(characters.clone(), source);
    } finally {
      Arrays.fill(characters, '\0');
    }
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
