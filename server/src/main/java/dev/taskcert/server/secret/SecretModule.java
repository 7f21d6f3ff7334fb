package dev.taskcert.server.secret;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import dev.taskcert.server.StartupFailure;
import dev.taskcert.server.config.ServerConfig;
import java.io.IOException;
import java.security.SecureRandom;

/**
 * The key that encrypts secrets at rest, loaded once from the configured file. The server loads
 * it right after the CA, before the database: a missing or unusable key stops the start with one
 * line naming {@code secret_key_file} and the fix.
 */
public final class SecretModule extends AbstractModule {
  @Provides
  @Singleton
  SecretBox secretBox(ServerConfig config, SecureRandom random) {
    try {
      return SecretBox.load(config.secretKeyFile(), random, "secret_key_file " + config.secretKeyFile());
    } catch (IOException e) {
      throw new StartupFailure(e.getMessage(), e);
    }
  }
}
