package dev.taskcert.server.config;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import java.security.SecureRandom;
import java.time.Clock;

/** Binds the server configuration, the clock and the source of randomness. */
public final class ConfigModule extends AbstractModule {
  private final ServerConfig config;
  private final Clock clock;

  public ConfigModule(ServerConfig config, Clock clock) {
    this.config = config;
    this.clock = clock;
  }

  @Override
  protected void configure() {
    bind(ServerConfig.class).toInstance(config);
    bind(Clock.class).toInstance(clock);
  }

  @Provides
  @Singleton
  SecureRandom secureRandom() {
    return new SecureRandom();
  }
}
