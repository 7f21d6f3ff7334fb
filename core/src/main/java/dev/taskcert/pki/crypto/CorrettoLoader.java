package dev.taskcert.pki.crypto;

import com.amazon.corretto.crypto.provider.AmazonCorrettoCryptoProvider;
import java.security.Provider;

/**
 * Loads the Amazon Corretto Crypto Provider. Kept apart so that only this class links against
 * it: without its jar, or with a jar whose native library does not fit the platform, loading
 * fails here with a reason rather than elsewhere.
 */
final class CorrettoLoader {
  private CorrettoLoader() {}

  /** The provider, healthy: its native library loaded and its self-tests passed. */
  static Provider load() {
    AmazonCorrettoCryptoProvider provider = AmazonCorrettoCryptoProvider.INSTANCE;
    Throwable loadingError = provider.getLoadingError();
    if (loadingError != null) {
      throw new IllegalStateException("its native library did not load", loadingError);
    }
    provider.assertHealthy();
    return provider;
  }
}
