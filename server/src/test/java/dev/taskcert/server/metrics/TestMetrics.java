package dev.taskcert.server.metrics;

import dev.taskcert.pki.crypto.SignatureProvider;

/** Server metrics for tests of other packages, as Guice would make them. */
public final class TestMetrics {
  private TestMetrics() {}

  /** A fresh registry reporting {@code signatures} as the provider in force. */
  public static ServerMetrics create(SignatureProvider signatures) {
    return new ServerMetrics(signatures);
  }
}
