package dev.taskcert.pki.ca;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

/**
 * Reads a secret (a key passphrase, a token PIN) from an environment variable or from a file only
 * its owner can read, without leaving copies in strings: what {@link Passphrase} and
 * {@link TokenPin} share. Messages name the source only, never the secret.
 */
final class SecretText {
  private SecretText() {}

  /** The value of variable {@code name}, used exactly as set. */
  static char[] fromEnv(String name, Map<String, String> environment, String source) throws CaLoadException {
    String value = environment.get(name);
    if (value == null) {
      throw new CaLoadException(source + " is not set");
    }
    return value.toCharArray();
  }

  /**
   * The one line of UTF-8 in {@code file}, a single trailing newline (LF or CRLF) ignored. The
   * file must exist, be at most {@code maxBytes} long and be neither readable nor writable by
   * group or others.
   */
  static char[] singleLineFile(Path file, String source, int maxBytes) throws IOException, CaLoadException {
    if (!Files.exists(file)) {
      throw new CaLoadException(source + " does not exist");
    }
    CaFiles.requirePrivate(file, source);
    if (Files.size(file) > maxBytes) {
      throw new CaLoadException(source + " is larger than " + maxBytes + " bytes");
    }
    byte[] bytes = Files.readAllBytes(file);
    char[] text = null;
    try {
      text = decodeUtf8(bytes, source);
      int length = text.length;
      if (length > 0 && text[length - 1] == '\n') {
        length--;
        if (length > 0 && text[length - 1] == '\r') {
          length--;
        }
      }
      char[] line = Arrays.copyOf(text, length);
      for (char c : line) {
        if (c == '\n' || c == '\r') {
          Arrays.fill(line, '\0');
          throw new CaLoadException(source + " must hold a single line");
        }
      }
      return line;
    } finally {
      Arrays.fill(bytes, (byte) 0);
      if (text != null) {
        Arrays.fill(text, '\0');
      }
    }
  }

  private static char[] decodeUtf8(byte[] bytes, String source) throws CaLoadException {
    try {
      CharBuffer decoded = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes));
      char[] chars = new char[decoded.remaining()];
      decoded.get(chars);
      return chars;
    } catch (CharacterCodingException e) {
      throw new CaLoadException(source + " is not valid UTF-8");
    }
  }
}
