package dev.taskcert.server.pki;

import dev.taskcert.pki.ca.CaDirectory;
import dev.taskcert.pki.ca.CaHierarchy;
import dev.taskcert.pki.identity.TrustDomain;
import dev.taskcert.server.StartupFailure;
import dev.taskcert.server.config.ServerConfigLoader;
import java.time.Instant;
import dev.taskcert.pki.ca.CaFiles;
import dev.taskcert.pki.ca.CaLoadException;
import dev.taskcert.pki.ca.DistrustedIntermediates;
import dev.taskcert.pki.ca.IntermediateCa;
import dev.taskcert.pki.ca.KeyAlgorithm;
import dev.taskcert.pki.ca.TrustBundle;
import dev.taskcert.pki.crypto.SignatureProvider;
import dev.taskcert.pki.identity.SpiffeIdCodec;
import dev.taskcert.pki.issuance.CertificateIssuer;
import dev.taskcert.server.config.ServerConfig;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The CA as the server uses it right now: the intermediate that signs task certificates, the
 * trust bundle clients are verified against, and the server's own TLS credentials (issued by that
 * intermediate at load, key in memory only, reissued at half its lifetime), and the intermediates
 * the operator distrusted. {@link #reloadIfChanged()} swaps in a rotated intermediate, an edited
 * bundle or distrust list without a restart; TLS handshakes, enrollment and renewal read
 * the current snapshot, so connections and calls already running are not disturbed.
 */
@Singleton
public final class CaState {
  private static final Logger log = LoggerFactory.getLogger(CaState.class);

  /**
   * One consistent view of the CA.
   *
   * @param distrusted intermediates the operator distrusted ({@code taskcert-ca distrust-intermediate})
   */
  public record Snapshot(
      IntermediateCa intermediate, TrustBundle bundle, CertificateIssuer issuer, ServerCredentials server,
      DistrustedIntermediates distrusted, String fingerprint) {

    /** This snapshot with other server credentials. */
    Snapshot withServer(ServerCredentials next) {
      return new Snapshot(intermediate, bundle, issuer, next, distrusted, fingerprint);
    }
  }

  private final CaDirectory directory;
  private final SpiffeIdCodec codec;
  private final ServerConfig config;
  private final Clock clock;
  private final SecureRandom random;
  private final SignatureProvider signatures;
  private final AtomicReference<Snapshot> current = new AtomicReference<>();

  @Inject
  CaState(CaDirectory directory, SpiffeIdCodec codec, ServerConfig config, Clock clock, SecureRandom random,
      SignatureProvider signatures) {
    this.directory = directory;
    this.codec = codec;
    this.config = config;
    this.clock = clock;
    this.random = random;
    this.signatures = signatures;
    try {
      current.set(load(fingerprint()));
    } catch (IOException e) {
      throw new StartupFailure("ca_directory " + directory.path() + ": cannot read the CA: "
          + ServerConfigLoader.why(e), e);
    } catch (CaLoadException e) {
      throw new StartupFailure("ca_directory " + directory.path() + ": " + e.getMessage(), e);
    }
    log.info("CA loaded: intermediate {} under {} trusted root(s)",
        current.get().intermediate().certificate().getSerialNumber().toString(16), current.get().bundle().roots().size());
  }

  public Snapshot current() {
    return current.get();
  }

  /**
   * Reloads the intermediate and bundle if their files changed. A half-written or inconsistent
   * rotation is refused (the current snapshot stays) and retried on the next call.
   *
   * @return whether a new snapshot is now in force
   */
  public synchronized boolean reloadIfChanged() throws IOException, CaLoadException {
    String fingerprint = fingerprint();
    if (fingerprint.equals(current.get().fingerprint())) {
      return false;
    }
    Snapshot next = load(fingerprint);
    Snapshot previous = current.getAndSet(next);
    log.info("CA reloaded: intermediate {} -> {}, {} trusted root(s)",
        previous.intermediate().certificate().getSerialNumber().toString(16),
        next.intermediate().certificate().getSerialNumber().toString(16), next.bundle().roots().size());
    return true;
  }

  /**
   * Issues the server new TLS credentials once half the current ones' lifetime has passed, keeping
   * the rest of the snapshot, so new connections see the new certificate without a restart.
   *
   * @return whether new credentials are now in force
   */
  public synchronized boolean renewServerCredentialsIfDue() {
    Snapshot snapshot = current.get();
    Instant now = clock.instant();
    if (now.isBefore(snapshot.server().renewAt())) {
      return false;
    }
    current.set(snapshot.withServer(serverCredentials(snapshot.issuer())));
    log.info("Server TLS certificate reissued at half its lifetime: serial {} -> {}",
        snapshot.server().chain().get(0).getSerialNumber().toString(16),
        current.get().server().chain().get(0).getSerialNumber().toString(16));
    return true;
  }

  private Snapshot load(String fingerprint) throws IOException, CaLoadException {
    IntermediateCa intermediate = directory.loadIntermediate();
    TrustBundle bundle = directory.loadTrustBundle();
    DistrustedIntermediates distrusted = DistrustedIntermediates.load(directory.path());
    requireServable(intermediate, distrusted);
    CertificateIssuer issuer = new CertificateIssuer(intermediate, codec, config.issuance(), random, signatures);
    return new Snapshot(intermediate, bundle, issuer, serverCredentials(issuer), distrusted, fingerprint);
  }

  private ServerCredentials serverCredentials(CertificateIssuer issuer) {
    return ServerCredentials.issue(issuer, config.serverNames(), KeyAlgorithm.EC_P256, clock.instant(),
        config.serverCertificateLifetime(), random);
  }

  /**
   * Refuses an intermediate this server cannot issue under: a distrusted one, one of another trust
   * domain than the configured one (every certificate would name the wrong domain), or one not
   * valid now.
   */
  private void requireServable(IntermediateCa intermediate, DistrustedIntermediates distrusted)
      throws CaLoadException {
    if (distrusted.contains(intermediate.certificate())) {
      throw new CaLoadException("the current intermediate is listed in " + DistrustedIntermediates.FILE
          + ": rotate it with 'taskcert-ca rotate-intermediate' before distrusting it");
    }
    TrustDomain ca = CaHierarchy.trustDomainOf(intermediate.certificate());
    if (!ca.equals(config.trustDomain())) {
      throw new CaLoadException("the CA is for trust domain '" + ca.name() + "' but trust_domain is '"
          + config.trustDomain().name() + "': set trust_domain=" + ca.name() + " or point ca_directory at the right CA");
    }
    Instant now = clock.instant();
    Instant notAfter = intermediate.certificate().getNotAfter().toInstant();
    if (now.isAfter(notAfter)) {
      throw new CaLoadException("the intermediate certificate expired at " + notAfter
          + ": rotate it with 'taskcert-ca rotate-intermediate'");
    }
    Instant notBefore = intermediate.certificate().getNotBefore().toInstant();
    if (now.isBefore(notBefore)) {
      throw new CaLoadException("the intermediate certificate is not valid before " + notBefore
          + ": check this machine's clock");
    }
  }

  /** A digest of the files that define the CA's public state. */
  private String fingerprint() throws CaLoadException {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      for (Path file : new Path[] {directory.path().resolve(CaDirectory.INTERMEDIATE), directory.bundlePath(),
          directory.path().resolve(CaDirectory.INTERMEDIATE_KEY),
          directory.path().resolve(CaDirectory.INTERMEDIATE_KEY_REFERENCE),
          directory.path().resolve(DistrustedIntermediates.FILE)}) {
        if (Files.exists(file)) {
          digest.update(CaFiles.read(file));
        }
        digest.update((byte) 0);
      }
      return HexFormat.of().formatHex(digest.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is always available", e);
    }
  }
}
