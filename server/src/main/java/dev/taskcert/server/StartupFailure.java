package dev.taskcert.server;

/**
 * Why the server cannot start, in one line an operator can act on: what is wrong, which
 * configuration key or file it concerns, and the fix. {@code taskcert-server} prints the message
 * alone (after {@code error: }) and exits with status 1; the cause is shown only with {@code --verbose}.
 */
public final class StartupFailure extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public StartupFailure(String message) {
    super(message);
  }

  public StartupFailure(String message, Throwable cause) {
    super(message, cause);
  }

  /**
   * What went wrong at the bottom of {@code failure}'s causes, in one line: the innermost cause's
   * first line of message, or its class when it has none, without the layers that passed it on.
   */
  public static String rootMessage(Throwable failure) {
    Throwable root = failure;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String message = root.getMessage();
    return message == null || message.isBlank() ? root.getClass().getSimpleName()
        : message.lines().findFirst().orElse(message);
  }
}
