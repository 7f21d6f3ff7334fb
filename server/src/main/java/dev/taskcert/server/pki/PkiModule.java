package dev.taskcert.server.pki;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import dev.taskcert.pki.ca.CaDirectory;
import dev.taskcert.pki.ca.CaLoadException;
import dev.taskcert.pki.ca.Passphrase;
import dev.taskcert.pki.identity.SpiffeIdCodec;
import dev.taskcert.pki.issuance.CsrValidator;
import dev.taskcert.server.StartupFailure;
import dev.taskcert.server.config.ServerConfig;
import dev.taskcert.server.config.ServerConfigLoader;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The CA's directory (with its key passphrase; an unencrypted key only with {@code
 * ca.allow_unencrypted_key=true}), the SPIFFE-ID codec of
 * our trust domain and the CSR policy. What the CA currently is lives in {@link CaState}, which
 * can reload without a restart.
 */
public final class PkiModule extends AbstractModule {

  @Provides
  @Singleton
  SpiffeIdCodec spiffeIdCodec(ServerConfig config) {
    return new SpiffeIdCodec(config.trustDomain());
  }

  @Provides
  @Singleton
  CaDirectory caDirectory(ServerConfig config) {
    try {
      if (config.caPassphraseFile() != null) {
        return new CaDirectory(config.caDirectory(), Passphrase.fromFile(config.caPassphraseFile()));
      }
      if (!config.caPassphraseEnv().isEmpty()) {
        return new CaDirectory(config.caDirectory(), Passphrase.fromEnv(config.caPassphraseEnv()));
      }
      if (!config.allowUnencryptedCaKey()) {
        throw new StartupFailure("ca_directory " + config.caDirectory() + ": no CA key passphrase is configured, so"
            + " the CA key would be loaded unencrypted; set ca.passphrase_file or ca.passphrase_env, or"
            + " ca.allow_unencrypted_key=true for a development CA");
      }
      return new CaDirectory(config.caDirectory());
    } catch (IOException e) {
      throw new StartupFailure((config.caPassphraseFile() != null ? "ca.passphrase_file " + config.caPassphraseFile()
          : "ca.passphrase_env " + config.caPassphraseEnv()) + ": cannot read the CA passphrase: "
          + ServerConfigLoader.why(e), e);
    } catch (CaLoadException e) {
      throw new StartupFailure((config.caPassphraseFile() != null ? "ca.passphrase_file" : "ca.passphrase_env")
          + ": " + e.getMessage(), e);
    }
  }

  @Provides
  @Singleton
  CsrValidator csrValidator() {
    return new CsrValidator();
  }
}
