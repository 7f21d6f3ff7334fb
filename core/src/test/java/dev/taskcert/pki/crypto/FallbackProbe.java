package dev.taskcert.pki.crypto;

/** Prints the selection a JVM makes, asked twice; run in a JVM of its own by {@link SignatureProviderTest}. */
public final class FallbackProbe {
  private FallbackProbe() {}

  public static void main(String[] args) {
    SignatureProvider.preferred();
    SignatureProvider selection = SignatureProvider.preferred();
    System.out.println("native=" + selection.isNative() + " requested=" + selection.requested() + " name="
        + selection.name() + " reason=" + selection.fallbackReason().orElse(""));
  }
}
