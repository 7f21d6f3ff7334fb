package dev.taskcert.server.testing;

import org.junit.jupiter.api.Assumptions;

/**
 * Tests that need a tool outside the JDK (Python with grpcio, the openssl client): on a
 * developer's machine without it they are skipped with what to install; in CI ({@code CI=true}),
 * which installs every such tool first, a missing tool fails the test instead, so a broken install
 * cannot pass as a skip.
 */
public final class RequiredTools {
  private RequiredTools() {}

  /** Whether this run must have every tool: CI sets {@code CI=true}. */
  public static boolean required() {
    return "true".equalsIgnoreCase(System.getenv("CI"));
  }

  /** Continues when {@code present}; otherwise skips the test, or fails it in CI. */
  public static void require(boolean present, String missing) {
    if (present) {
      return;
    }
    if (required()) {
      throw new AssertionError(missing + " (CI=true: the tools every test needs must be installed by .ci/run)");
    }
    Assumptions.assumeTrue(false, missing);
  }
}
