package dev.taskcert.pki.cli;

import dev.taskcert.pki.pem.EncryptedPem;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Map;

/**
 * What the operator CLI takes from its surroundings: environment variables (where passphrases may
 * come from), the clock, randomness, and the key-derivation cost for keys it encrypts. Passed to
 * {@link CaCli}'s constructor so the commands can be run in-process with controlled inputs.
 */
public record CliContext(
    Map<String, String> environment, Clock clock, SecureRandom random, int kdfIterations) {

  public CliContext {
    environment = Map.copyOf(environment);
  }

  /** The real process environment, the UTC system clock and the default key-derivation cost. */
  public static CliContext system() {
    return new CliContext(
        System.getenv(), Clock.systemUTC(), new SecureRandom(), EncryptedPem.DEFAULT_ITERATIONS);
  }
}
