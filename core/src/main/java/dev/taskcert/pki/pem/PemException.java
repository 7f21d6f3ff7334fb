package dev.taskcert.pki.pem;

/** Thrown when PEM text does not hold what the caller expected. */
public final class PemException extends Exception {
  private static final long serialVersionUID = 1L;

  public PemException(String message) {
    super(message);
  }
}
