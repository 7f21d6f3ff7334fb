package dev.taskcert.pki.cli;

/** An operation could not be carried out; the message is printed after {@code error: }. */
final class OperationFailedException extends Exception {
  private static final long serialVersionUID = 1L;

  OperationFailedException(String message) {
    super(message);
  }
}
