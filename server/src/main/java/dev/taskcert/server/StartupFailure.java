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
}
