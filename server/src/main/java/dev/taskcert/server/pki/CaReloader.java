package dev.taskcert.server.pki;

import dev.taskcert.pki.ca.CaLoadException;
import dev.taskcert.server.config.ServerConfig;
import jakarta.inject.Inject;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks the CA directory every {@code ca.reload_interval} and swaps in a rotated intermediate, an
 * edited trust bundle or distrust list, so rotations need no restart, and warns of certificates
 * near their expiry ({@link CertificateExpiry}); a zero interval turns that off. Independently, it
 * reissues the server's own TLS certificate once half its lifetime has passed, checking a tenth
 * as often as that lifetime (at least once a minute).
 */
public final class CaReloader implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(CaReloader.class);

  private final CaState state;
  private final CertificateExpiry expiry;
  private final ServerConfig config;
  private ScheduledExecutorService scheduler;
  private String lastError;

  @Inject
  CaReloader(CaState state, CertificateExpiry expiry, ServerConfig config) {
    this.state = state;
    this.expiry = expiry;
    this.config = config;
  }

  public synchronized void start() {
    if (scheduler != null) {
      return;
    }
    scheduler = Executors.newSingleThreadScheduledExecutor(runnable -> {
      Thread thread = new Thread(runnable, "taskcert-ca-reload");
      thread.setDaemon(true);
      return thread;
    });
    long millis = config.caReloadInterval().toMillis();
    if (millis > 0) {
      scheduler.scheduleWithFixedDelay(this::check, millis, millis, TimeUnit.MILLISECONDS);
    }
    long renewal = Math.min(config.serverCertificateLifetime().toMillis() / 10, Duration.ofMinutes(1).toMillis());
    scheduler.scheduleWithFixedDelay(this::renewServerCredentials, renewal, renewal, TimeUnit.MILLISECONDS);
  }

  private void renewServerCredentials() {
    try {
      state.renewServerCredentialsIfDue();
    } catch (RuntimeException e) {
      log.error("cannot reissue the server's TLS certificate; still serving the current one: {}", e.getMessage());
    }
  }

  private void check() {
    try {
      state.reloadIfChanged();
      lastError = null;
      expiry.warnIfNear();
    } catch (IOException | CaLoadException | RuntimeException e) {
      String error = e.getMessage();
      if (!error.equals(lastError)) { // say it once, not every tick
        log.error("CA files changed but cannot be loaded; still serving the previous CA: {}", error);
        lastError = error;
      }
    }
  }

  @Override
  public synchronized void close() {
    if (scheduler != null) {
      scheduler.shutdownNow();
      scheduler = null;
    }
  }
}
