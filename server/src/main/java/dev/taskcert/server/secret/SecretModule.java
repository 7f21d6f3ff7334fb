package dev.taskcert.server.secret;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import dev.taskcert.server.config.ServerConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.SecureRandom;

/** The key that encrypts secrets at rest, loaded once from the configured file. */
public final class SecretModule extends AbstractModule {
  @Provides
  @Singleton
  SecretBox secretBox(ServerConfig config, SecureRandom random) {
    try {
      return SecretBox.load(config.secretKeyFile(), random);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
