package dev.taskcert.server.pki;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import dev.taskcert.pki.ca.CaDirectory;
import dev.taskcert.pki.ca.CaLoadException;
import dev.taskcert.pki.ca.Passphrase;
import dev.taskcert.pki.ca.Pkcs11Token;
import dev.taskcert.pki.ca.TokenPin;
import dev.taskcert.pki.crypto.SignatureProvider;
import dev.taskcert.pki.identity.SpiffeIdCodec;
import dev.taskcert.pki.issuance.CsrValidator;
import dev.taskcert.server.StartupFailure;
import dev.taskcert.server.config.ServerConfig;
import dev.taskcert.server.config.ServerConfigLoader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Optional;

/**
 * The CA's directory (with its key passphrase, if the keys are encrypted — an unencrypted key only
 * with {@code ca.allow_unencrypted_key=true} — and the PKCS#11 token, if the intermediate's key is
 * in one), the SPIFFE-ID codec of
 * our trust domain, the CSR policy, and the signature provider {@code crypto.provider} selects. What
 * the CA currently is lives in {@link CaState}, which can reload without a restart.
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
    return keyFiles(config).withToken(caToken(config));
  }

  /**
   * The token named by {@code ca.pkcs11_config}, logged in with its PIN; empty when none is set.
   * Only a handle to the key is ever held: signing happens in the token.
   */
  private static Optional<Pkcs11Token> caToken(ServerConfig config) {
    ServerConfig.CaToken token = config.caToken();
    if (token == null) {
      return Optional.empty();
    }
    String pinKey = token.pinFile() != null ? "ca.pkcs11_pin_file" : "ca.pkcs11_pin_env";
    TokenPin pin;
    try {
      pin = token.pinFile() != null
          ? TokenPin.fromFile(token.pinFile())
          : TokenPin.fromEnv(token.pinEnv(), System.getenv());
    } catch (IOException e) {
      throw new StartupFailure(pinKey + " " + token.pinFile() + ": cannot read the PIN: " + ServerConfigLoader.why(e), e);
    } catch (CaLoadException e) {
      throw new StartupFailure(pinKey + ": " + e.getMessage(), e);
    }
    try {
      return Optional.of(Pkcs11Token.open(token.configFile(), pin));
    } catch (CaLoadException e) {
      throw new StartupFailure("ca.pkcs11_config: " + e.getMessage(), e);
    }
  }

  private static CaDirectory keyFiles(ServerConfig config) {
    try {
      if (config.caPassphraseFile() != null) {
        return new CaDirectory(config.caDirectory(), Passphrase.fromFile(config.caPassphraseFile()));
      }
      if (!config.caPassphraseEnv().isEmpty()) {
        return new CaDirectory(config.caDirectory(), Passphrase.fromEnv(config.caPassphraseEnv()));
      }
      // A key in a PKCS#11 token is never a file, so there is nothing to encrypt.
      if (!config.allowUnencryptedCaKey() && config.caToken() == null) {
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

  /**
   * The provider of the signatures made and checked outside the TLS handshake; a native provider
   * that cannot load falls back to pure Java (logged once), which never keeps the server from starting.
   */
  @Provides
  @Singleton
  SignatureProvider signatureProvider(ServerConfig config) {
    return SignatureProvider.select(config.cryptoProvider());
  }

  @Provides
  @Singleton
  CsrValidator csrValidator(SignatureProvider signatures) {
    return new CsrValidator(signatures);
  }
}
