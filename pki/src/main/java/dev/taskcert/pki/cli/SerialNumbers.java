package dev.taskcert.pki.cli;

import java.math.BigInteger;
import java.util.regex.Pattern;

/**
 * Reads certificate serial numbers as operators copy them: hex, in either case, optionally with a
 * {@code 0x} prefix or with colons as {@code openssl x509 -text} prints them.
 */
final class SerialNumbers {
  private static final Pattern HEX = Pattern.compile("[0-9a-fA-F]{1,40}");

  private SerialNumbers() {}

  /**
   * Parses one serial number.
   *
   * @throws IllegalArgumentException if it is not a positive number of at most 20 bytes in hex
   */
  static BigInteger parse(String text) {
    String compact = text.strip().replace(":", "");
    if (compact.startsWith("0x") || compact.startsWith("0X")) {
      compact = compact.substring(2);
    }
    if (!HEX.matcher(compact).matches()) {
      throw new IllegalArgumentException("not a hex serial number of at most 20 bytes: '" + text + "'");
    }
    BigInteger serial = new BigInteger(compact, 16);
    if (serial.signum() == 0) {
      throw new IllegalArgumentException("a serial number cannot be zero");
    }
    return serial;
  }
}
