package dev.taskcert.pki.identity;

import java.util.regex.Pattern;

/**
 * A SPIFFE trust domain name such as {@code taskcert.example.com}: the authority part of every
 * SPIFFE ID the CA issues. Only the canonical lower-case spelling is accepted.
 */
public record TrustDomain(String name) {
  private static final Pattern VALID = Pattern.compile("[a-z0-9._-]{1,255}");

  public TrustDomain {
    if (name == null || !VALID.matcher(name).matches()) {
      throw new InvalidIdentityException(
          "trust domain must be 1 to 255 characters of [a-z0-9._-], got: " + name);
    }
  }

  @Override
  public String toString() {
    return name;
  }
}
