package dev.taskcert.pki.ca;

/** Thrown when the CA's files are missing, unreadable, insecure, or do not fit together. */
public final class CaLoadException extends Exception {
  private static final long serialVersionUID = 1L;

  public CaLoadException(String message) {
    super(message);
  }
}
