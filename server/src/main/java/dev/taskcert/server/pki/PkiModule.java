package dev.taskcert.server.pki;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import dev.taskcert.pki.ca.CaDirectory;
import dev.taskcert.pki.ca.CaLoadException;
import dev.taskcert.pki.ca.IntermediateCa;
import dev.taskcert.pki.ca.KeyAlgorithm;
import dev.taskcert.pki.ca.TrustBundle;
import dev.taskcert.pki.identity.SpiffeIdCodec;
import dev.taskcert.pki.issuance.CertificateIssuer;
import dev.taskcert.pki.issuance.CsrValidator;
import dev.taskcert.server.config.ServerConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.SecureRandom;
import java.time.Clock;

/**
 * The CA as the server uses it: the intermediate that signs task certificates, the trust bundle
 * clients are verified against, the SPIFFE-ID codec of our trust domain, and the server's own TLS
 * credentials.
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
    return new CaDirectory(config.caDirectory());
  }

  @Provides
  @Singleton
  IntermediateCa intermediateCa(CaDirectory directory) {
    try {
      return directory.loadIntermediate();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the CA in " + directory.path(), e);
    } catch (CaLoadException e) {
      throw new IllegalStateException("cannot load the CA: " + e.getMessage(), e);
    }
  }

  @Provides
  @Singleton
  TrustBundle trustBundle(CaDirectory directory) {
    try {
      return directory.loadTrustBundle();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the trust bundle in " + directory.path(), e);
    } catch (CaLoadException e) {
      throw new IllegalStateException("cannot load the trust bundle: " + e.getMessage(), e);
    }
  }

  @Provides
  @Singleton
  CertificateIssuer certificateIssuer(
      IntermediateCa ca, SpiffeIdCodec codec, ServerConfig config, SecureRandom random) {
    return new CertificateIssuer(ca, codec, config.issuance(), random);
  }

  @Provides
  @Singleton
  CsrValidator csrValidator() {
    return new CsrValidator();
  }

  @Provides
  @Singleton
  ServerCredentials serverCredentials(
      CertificateIssuer issuer, ServerConfig config, Clock clock, SecureRandom random) {
    return ServerCredentials.issue(issuer, config.serverNames(), KeyAlgorithm.EC_P256, clock.instant(), random);
  }
}
