package dev.taskcert.text;

/**
 * The one way text from a request (or from anything a caller controls, such as a certificate
 * subject) enters a log line: escaped so that it can neither end the line nor forge another. Every
 * character that could break or reorder a line is written as an escape, and the backslash is
 * doubled so an escape can never be confused with text that merely looks like one. The JSON log
 * format carries the escaped text too, so its decoded messages are single lines as well.
 */
public final class LogText {
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private LogText() {}

  /**
   * {@code value} as text with CR, LF, tab, the other C0 and C1 controls, DEL, the Unicode line and
   * paragraph separators and the bidirectional overrides escaped ({@code \n}, {@code \r}, {@code
   * \t}, or {@code \}{@code uXXXX}) and {@code \} doubled; {@code "null"} for {@code null}.
   */
  public static String escape(Object value) {
    String text = String.valueOf(value);
    StringBuilder out = null;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      String replacement = replacement(c);
      if (replacement == null) {
        if (out != null) {
          out.append(c);
        }
        continue;
      }
      if (out == null) {
        out = new StringBuilder(text.length() + 16).append(text, 0, i);
      }
      out.append(replacement);
    }
    return out == null ? text : out.toString();
  }

  /**
   * A {@code key=value} field value: as {@link #escape} when it is a non-empty run of characters
   * that cannot be taken for a field separator, otherwise double-quoted with {@code "} escaped too,
   * so that no value forges another field of the same line.
   */
  public static String field(Object value) {
    String escaped = escape(value);
    if (!escaped.isEmpty() && escaped.chars().noneMatch(c -> c == ' ' || c == '"' || c == '=' || Character.isWhitespace(c))) {
      return escaped;
    }
    return quote(escaped);
  }

  /** {@code value} {@linkplain #escape escaped} with {@code "} escaped too, in double quotes. */
  public static String quoted(Object value) {
    return quote(escape(value));
  }

  private static String quote(String escaped) {
    return '"' + escaped.replace("\"", "\\\"") + '"';
  }

  /**
   * {@code failure} for a logger's throwable argument, with the message of it and of every cause
   * and suppressed exception escaped (the stack frames are kept as they were), so an exception
   * whose message quotes a request cannot forge lines in a stack trace either.
   */
  public static Throwable escapeFailure(Throwable failure) {
    return failure == null ? null : EscapedFailure.of(failure, 0);
  }

  private static String replacement(char c) {
    return switch (c) {
      case '\\' -> "\\\\";
      case '\n' -> "\\n";
      case '\r' -> "\\r";
      case '\t' -> "\\t";
      default -> needsEscape(c) ? unicodeEscape(c) : null;
    };
  }

  private static boolean needsEscape(char c) {
    return c < 0x20 || (c >= 0x7f && c <= 0x9f) // C0, DEL, C1 (NEL among them)
        || c == '\u2028' || c == '\u2029' // line and paragraph separators
        || (c >= '\u202a' && c <= '\u202e') || (c >= '\u2066' && c <= '\u2069') // bidirectional controls
        || c == '\u200e' || c == '\u200f' || c == '\u061c'; // direction marks
  }

  private static String unicodeEscape(char c) {
    return new String(new char[] {'\\', 'u', HEX[(c >> 12) & 0xf], HEX[(c >> 8) & 0xf], HEX[(c >> 4) & 0xf], HEX[c & 0xf]});
  }

  /**
   * A stand-in for a logged exception whose message is the original class and escaped message;
   * it keeps the original stack frames, and its causes and suppressed exceptions are stand-ins too.
   */
  static final class EscapedFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private static final int MAX_DEPTH = 16;

    private EscapedFailure(Throwable original, Throwable cause) {
      super(original.getClass().getName() + (original.getMessage() == null ? "" : ": " + escape(original.getMessage())),
          cause, true, true);
      setStackTrace(original.getStackTrace());
    }

    static EscapedFailure of(Throwable original, int depth) {
      Throwable cause = original.getCause();
      boolean deeper = depth < MAX_DEPTH;
      EscapedFailure copy =
          new EscapedFailure(original, deeper && cause != null && cause != original ? of(cause, depth + 1) : null);
      if (deeper) {
        for (Throwable suppressed : original.getSuppressed()) {
          copy.addSuppressed(of(suppressed, depth + 1));
        }
      }
      return copy;
    }

    @Override
    public String toString() {
      return getMessage();
    }
  }
}
