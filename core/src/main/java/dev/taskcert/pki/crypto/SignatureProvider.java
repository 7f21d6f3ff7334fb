package dev.taskcert.pki.crypto;

import java.security.Provider;
import java.security.Security;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which JCA provider makes and checks the signatures outside the TLS handshake: CSR checks,
 * certificate signatures, certificate-path checks, task keys and their CSRs.
 *
 * <p>{@link Choice#NATIVE} is the Amazon Corretto Crypto Provider (AWS-LC, native code: P-256
 * signatures at several times BouncyCastle's rate and some thirty times the JDK's SunEC), loaded and checked healthy, then
 * registered at the <em>end</em> of the JVM's provider list: its name resolves (certificate-path
 * checks take a provider by name) but no default of the host JVM changes. When its native library
 * cannot load (its jar carries one for linux-x86_64 only, or the temporary directory it unpacks to
 * does not allow execution) the selection falls back to {@link Choice#JDK} and says why, logged once
 * per process at WARN. {@code JDK} is pure Java: BouncyCastle for keys and signatures, as the CA has
 * always used (several times SunEC's rate), and the JDK's own providers for certificate paths.
 *
 * <p>Immutable; one instance serves every thread.
 */
public final class SignatureProvider {
  private static final Logger log = LoggerFactory.getLogger(SignatureProvider.class);

  /** What the configuration asks for. */
  public enum Choice {
    /** The native provider, or the pure-Java one when it cannot load. */
    NATIVE("native"),
    /** The pure-Java providers, whatever is available. */
    JDK("jdk");

    private final String word;

    Choice(String word) {
      this.word = word;
    }

    /** The word that names this choice in configuration. */
    public String word() {
      return word;
    }

    /**
     * The choice {@code word} names ({@code native} or {@code jdk}, any case).
     *
     * @throws IllegalArgumentException naming the words allowed
     */
    public static Choice parse(String word) {
      for (Choice choice : values()) {
        if (choice.word.equals(word == null ? null : word.trim().toLowerCase(Locale.ROOT))) {
          return choice;
        }
      }
      throw new IllegalArgumentException("must be native or jdk, got '" + word + "'");
    }
  }

  /** Loads the native provider, or throws saying why it cannot be used. */
  @FunctionalInterface
  public interface NativeLoader {
    Provider load() throws Exception;
  }

  /** Loads the Amazon Corretto Crypto Provider and checks that it is healthy. */
  public static final NativeLoader CORRETTO = CorrettoLoader::load;

  private final Choice requested;
  private final Provider provider;
  private final boolean isNative;
  private final String fallbackReason;

  private SignatureProvider(Choice requested, Provider provider, boolean isNative, String fallbackReason) {
    this.requested = requested;
    this.provider = provider;
    this.isNative = isNative;
    this.fallbackReason = fallbackReason;
  }

  /**
   * The selection for {@code choice} with the Corretto provider. Its loading is tried once per
   * process, and a failure logged once; later calls reuse the outcome.
   */
  public static SignatureProvider select(Choice choice) {
    Objects.requireNonNull(choice, "choice");
    return choice == Choice.JDK ? jdk() : Corretto.SELECTION;
  }

  /**
   * The selection for {@code choice} with the native provider {@code loader} gives (tried now, each
   * call): for tests, and for hosts that bring a provider of their own.
   */
  public static SignatureProvider select(Choice choice, NativeLoader loader) {
    Objects.requireNonNull(choice, "choice");
    return choice == Choice.JDK ? jdk() : loadNative(loader);
  }

  /** The native provider when it loads, else the fallback: what a library uses unless told otherwise. */
  public static SignatureProvider preferred() {
    return select(Choice.NATIVE);
  }

  /** The pure-Java providers, asked for. */
  public static SignatureProvider jdk() {
    return new SignatureProvider(Choice.JDK, BouncyCastle.PROVIDER, false, null);
  }

  private static SignatureProvider loadNative(NativeLoader loader) {
    String reason;
    try {
      Provider provider = Objects.requireNonNull(loader.load(), "the loader returned no provider");
      String missing = missingService(provider);
      if (missing == null) {
        // At the end: names resolve, defaults stay as the host set them. A provider of the same
        // name already installed (by the host, at any position) is left where it is.
        Security.addProvider(provider);
        return new SignatureProvider(Choice.NATIVE, provider, true, null);
      }
      reason = provider.getName() + " offers no " + missing;
    } catch (Exception | LinkageError e) {
      reason = oneLine(e);
    }
    log.warn("Native signature provider unavailable, falling back to the JDK's pure-Java providers: {}", reason);
    return new SignatureProvider(Choice.NATIVE, BouncyCastle.PROVIDER, false, reason);
  }

  /** The first service this project needs that {@code provider} lacks, or {@code null}. */
  private static String missingService(Provider provider) {
    String[][] needed = {
        {"Signature", "SHA256withECDSA"}, {"Signature", "SHA384withECDSA"},
        {"KeyFactory", "EC"}, {"KeyPairGenerator", "EC"}};
    for (String[] service : needed) {
      if (provider.getService(service[0], service[1]) == null) {
        return service[0] + "." + service[1];
      }
    }
    return null;
  }

  /** Why {@code failure} happened, on one line: its message and its deepest cause. */
  private static String oneLine(Throwable failure) {
    Throwable root = failure;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String text = root == failure || failure.getMessage() == null
        ? describe(root)
        : failure.getMessage() + ": " + describe(root);
    return text.replaceAll("\\s+", " ").strip();
  }

  private static String describe(Throwable failure) {
    return failure.getClass().getSimpleName() + (failure.getMessage() == null ? "" : ": " + failure.getMessage());
  }

  /** What was asked for. */
  public Choice requested() {
    return requested;
  }

  /** Whether the native provider is in force. */
  public boolean isNative() {
    return isNative;
  }

  /**
   * The provider for {@code Signature}, {@code KeyFactory} and {@code KeyPairGenerator}: the
   * native one, or BouncyCastle's (an instance this project holds, not registered in the JVM).
   */
  public Provider provider() {
    return provider;
  }

  /**
   * The name to give {@link java.security.cert.PKIXParameters#setSigProvider}: the native
   * provider's, registered in the JVM; {@code null} without it, for the JDK's own providers in
   * their order.
   */
  public String certPathProvider() {
    return isNative ? provider.getName() : null;
  }

  /** The provider's name ({@code AmazonCorrettoCryptoProvider}, or {@code BC} without it). */
  public String name() {
    return provider.getName();
  }

  /** The provider's version. */
  public String version() {
    return provider.getVersionStr();
  }

  /** Why the native provider is not in force although it was asked for; empty otherwise. */
  public Optional<String> fallbackReason() {
    return Optional.ofNullable(fallbackReason);
  }

  /** One line for logs and probes. */
  public String describe() {
    if (isNative) {
      return "native (" + name() + " " + version() + ")";
    }
    String pureJava = "jdk (pure Java: " + name() + " " + version() + ", certificate paths with the JDK's providers)";
    return fallbackReason == null ? pureJava : pureJava + ", fallback because the native provider is unavailable: "
        + fallbackReason;
  }

  @Override
  public String toString() {
    return describe();
  }

  /** The Corretto provider's outcome, worked out on first use. */
  private static final class Corretto {
    static final SignatureProvider SELECTION = loadNative(CORRETTO);
  }
}
