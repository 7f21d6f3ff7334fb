package dev.taskcert.pki.ca;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Properties;
import java.util.regex.Pattern;

/**
 * What the CA directory holds instead of {@code intermediate-key.pem} when the intermediate's key
 * is in a PKCS#11 token: the key's label there. Which token, and its PIN, are configured where the
 * CA is used ({@code --pkcs11-config}, {@code ca.pkcs11_config}), not stored with the CA.
 *
 * @param label the label of the key (and of its certificate) in the token
 */
public record TokenKeyReference(String label) {
  /** Labels are kept to characters every token and shell take as they are. */
  public static final Pattern LABEL = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

  private static final String KEY = "pkcs11.label";

  public TokenKeyReference {
    if (label == null || !LABEL.matcher(label).matches()) {
      throw new IllegalArgumentException(
          "a key label is 1 to 64 characters of [A-Za-z0-9._-], starting with a letter or digit, got '"
              + label + "'");
    }
  }

  /** Reads a reference file. */
  public static TokenKeyReference read(Path file) throws CaLoadException {
    Properties properties = new Properties();
    try {
      properties.load(new StringReader(new String(CaFiles.read(file), StandardCharsets.UTF_8)));
    } catch (IOException e) {
      throw new CaLoadException(file + " cannot be read: " + e.getMessage());
    }
    String label = properties.getProperty(KEY);
    if (label == null) {
      throw new CaLoadException(file + " names no key: it has no " + KEY + " line");
    }
    try {
      return new TokenKeyReference(label.strip());
    } catch (IllegalArgumentException e) {
      throw new CaLoadException(file + ": " + e.getMessage());
    }
  }

  /** Writes this reference (mode 0644: it holds no secret). */
  public void write(Path file) throws IOException {
    CaFiles.writePublic(file,
        "# The intermediate's private key is in a PKCS#11 token under this label; see docs/operations.md.\n"
            + KEY + "=" + label + "\n");
  }
}
