package dev.taskcert.pki.identity;

import java.util.regex.Pattern;

/**
 * A control-plane (scheduler) or operator principal, allowed on the Admin API and nowhere a task
 * certificate is expected.
 *
 * @param name a short name such as {@code scheduler} or {@code ops-alice}: 1 to 64 characters of
 *     {@code [a-z0-9_-]}
 */
public record AdminIdentity(String name) implements WorkloadIdentity {
  private static final Pattern VALID = Pattern.compile("[a-z0-9_-]{1,64}");

  public AdminIdentity {
    if (name == null || !VALID.matcher(name).matches()) {
      throw new InvalidIdentityException(
          "admin name must be 1 to 64 characters of [a-z0-9_-], got: " + name);
    }
  }
}
