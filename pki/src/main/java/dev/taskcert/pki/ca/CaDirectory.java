package dev.taskcert.pki.ca;

import dev.taskcert.pki.identity.TrustDomain;
import dev.taskcert.pki.pem.Pem;
import dev.taskcert.pki.pem.PemException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The online CA's files in one directory: {@code intermediate.pem}, {@code intermediate-key.pem}
 * (or, when the key is in a PKCS#11 token, {@code intermediate-key.pkcs11} naming it there),
 * {@code bundle.pem} (the roots relying parties trust), retired intermediates as {@code
 * intermediate-<serial>.pem}, and {@code root.pem} with {@code root-key.pem} only when the root key
 * is kept online (development).
 *
 * <p>Private keys are written with mode 0600 and refused on load when group or others can read
 * them. With a passphrase they are encrypted PKCS#8 and an unencrypted key is refused; without one
 * (development) they are plain PKCS#8 and an encrypted key is refused.
 */
public final class CaDirectory {
  private static final Pattern RETIRED_INTERMEDIATE = Pattern.compile("intermediate-[0-9a-f]+\\.pem");

  public static final String ROOT = RootKeyDirectory.CERTIFICATE;
  public static final String ROOT_KEY = RootKeyDirectory.KEY;
  public static final String INTERMEDIATE = "intermediate.pem";
  public static final String INTERMEDIATE_KEY = "intermediate-key.pem";
  /** Stands in for {@link #INTERMEDIATE_KEY} when the key is in a token: see {@link TokenKeyReference}. */
  public static final String INTERMEDIATE_KEY_REFERENCE = "intermediate-key.pkcs11";
  public static final String BUNDLE = "bundle.pem";

  private final Path directory;
  private final KeyProtection protection;
  private final SecureRandom random;
  private final Optional<Pkcs11Token> token;

  /** A CA directory whose keys are stored unencrypted: development only. */
  public CaDirectory(Path directory) {
    this(directory, KeyProtection.none(), new SecureRandom());
  }

  /** A CA directory whose keys are encrypted with {@code passphrase}. */
  public CaDirectory(Path directory, Passphrase passphrase) {
    this(directory, KeyProtection.passphrase(passphrase), new SecureRandom());
  }

  /**
   * A CA directory whose keys are stored as {@code protection} says.
   *
   * @param random salts and IVs for keys this instance encrypts
   */
  public CaDirectory(Path directory, KeyProtection protection, SecureRandom random) {
    this(directory, protection, random, Optional.empty());
  }

  /**
   * A CA directory whose intermediate key may be in {@code token}; other keys (a root kept here)
   * are stored as {@code protection} says.
   */
  public CaDirectory(Path directory, KeyProtection protection, SecureRandom random, Optional<Pkcs11Token> token) {
    this.directory = directory;
    this.protection = protection;
    this.random = random;
    this.token = token;
  }

  public Path path() {
    return directory;
  }

  /** This directory with its intermediate key (if a token reference says so) in {@code token}. */
  public CaDirectory withToken(Optional<Pkcs11Token> token) {
    return new CaDirectory(directory, protection, random, token);
  }

  public Path bundlePath() {
    return directory.resolve(BUNDLE);
  }

  public KeyProtection keyProtection() {
    return protection;
  }

  /** Whether an intermediate has been written here. */
  public boolean isInitialized() {
    return Files.exists(directory.resolve(INTERMEDIATE))
        && (Files.exists(directory.resolve(INTERMEDIATE_KEY)) || holdsTokenReference());
  }

  /**
   * Loads the CA, or creates and writes a new hierarchy first if the directory holds none (the
   * root key then stays in this directory, which suits development).
   */
  public IntermediateCa loadOrInitialize(
      TrustDomain trustDomain, KeyAlgorithm algorithm, Instant now, SecureRandom random)
      throws IOException, CaLoadException {
    if (!isInitialized()) {
      // Looked up here, not in a static field, so the operator CLI never initializes logging.
      Logger log = LoggerFactory.getLogger(CaDirectory.class);
      log.info("No CA in {}; creating a {} root and intermediate for trust domain {}",
          directory, algorithm, trustDomain);
      write(CaHierarchy.create(trustDomain, algorithm, now, random));
    }
    return loadIntermediate();
  }

  /** Writes a whole hierarchy, root key included, refusing to overwrite an existing one. */
  public void write(CaHierarchy hierarchy) throws IOException {
    refuseIfInitialized();
    CaFiles.createPrivateDirectories(directory);
    rootKeys().writeOver(hierarchy.rootCa());
    writeOnlinePart(hierarchy);
  }

  /**
   * Writes a hierarchy with the root certificate and key in {@code rootKeys} instead of here, so
   * this directory holds only the intermediate's key. Refuses to overwrite either.
   */
  public void write(CaHierarchy hierarchy, RootKeyDirectory rootKeys) throws IOException {
    refuseIfInitialized();
    CaFiles.createPrivateDirectories(directory);
    rootKeys.write(hierarchy.rootCa());
    writeOnlinePart(hierarchy);
  }

  /** Loads the online intermediate and checks that it chains to a root of the bundle. */
  public IntermediateCa loadIntermediate() throws IOException, CaLoadException {
    X509Certificate intermediate = loadIntermediateCertificate();
    CaKeySource source = CaKeySource.inMemory();
    PrivateKey key;
    if (holdsTokenReference()) {
      TokenKeyReference reference = TokenKeyReference.read(directory.resolve(INTERMEDIATE_KEY_REFERENCE));
      Pkcs11Token keys = token.orElseThrow(() -> new CaLoadException(
          "the intermediate's key is in a PKCS#11 token under label '" + reference.label() + "' ("
              + INTERMEDIATE_KEY_REFERENCE + "), but no token is configured"));
      key = keys.privateKey(reference.label(), intermediate);
      source = new CaKeySource.InToken(reference.label(), keys.provider());
    } else if (token.isPresent()) {
      throw new CaLoadException("a PKCS#11 token is configured, but the intermediate's key is the file "
          + directory.resolve(INTERMEDIATE_KEY) + "; rotate the intermediate into the token, or configure no token");
    } else {
      key = intermediateKeyFile().readMatching(intermediate);
    }
    X509Certificate root =
        loadTrustBundle()
            .issuerOf(intermediate)
            .orElseThrow(() -> new CaLoadException(INTERMEDIATE + " is not signed by any root in " + BUNDLE));
    return new IntermediateCa(intermediate, key, root, source);
  }

  /** Whether the intermediate's key is in a token ({@code intermediate-key.pkcs11} is here). */
  public boolean holdsTokenReference() {
    return Files.exists(directory.resolve(INTERMEDIATE_KEY_REFERENCE));
  }

  /** The current intermediate's certificate, without touching its key. */
  public X509Certificate loadIntermediateCertificate() throws IOException, CaLoadException {
    return readCertificates(directory.resolve(INTERMEDIATE)).get(0);
  }

  /** Intermediates retired by rotation ({@code intermediate-<serial>.pem}), in no order. */
  public List<X509Certificate> loadRetiredIntermediates() throws IOException, CaLoadException {
    List<X509Certificate> retired = new ArrayList<>();
    if (!Files.isDirectory(directory)) {
      return retired;
    }
    try (DirectoryStream<Path> files = Files.newDirectoryStream(directory)) {
      for (Path file : files) {
        if (RETIRED_INTERMEDIATE.matcher(file.getFileName().toString()).matches()) {
          retired.add(readCertificates(file).get(0));
        }
      }
    }
    return retired;
  }

  /** Loads the roots relying parties should trust. */
  public TrustBundle loadTrustBundle() throws IOException, CaLoadException {
    return new TrustBundle(readCertificates(bundlePath()));
  }

  /** Replaces {@code bundle.pem}. */
  public void writeTrustBundle(TrustBundle bundle) throws IOException {
    CaFiles.writePublic(bundlePath(), Pem.certificates(bundle.roots()));
  }

  /**
   * Makes {@code next} the online intermediate. The current intermediate's certificate is kept as
   * {@code intermediate-<serial>.pem}; its key file (or token reference) is replaced, and a key
   * left in a token stays there until the operator deletes it. Certificates it issued stay valid,
   * because they chain through that certificate to a root that is still in the bundle.
   *
   * @return the file the previous certificate was kept in, if there was one
   * @throws CaLoadException if {@code next} is not signed by a root of the bundle
   */
  public Optional<Path> installIntermediate(IntermediateCa next) throws IOException, CaLoadException {
    if (loadTrustBundle().issuerOf(next.certificate()).isEmpty()) {
      throw new CaLoadException(
          "the new intermediate is not signed by any root in " + bundlePath()
              + "; add its root to the bundle first");
    }
    Optional<Path> archived = Optional.empty();
    if (Files.exists(directory.resolve(INTERMEDIATE))) {
      X509Certificate current = loadIntermediateCertificate();
      Path file = directory.resolve("intermediate-" + current.getSerialNumber().toString(16) + ".pem");
      CaFiles.writePublic(file, Pem.certificates(List.of(current)));
      archived = Optional.of(file);
    }
    writeIntermediateKey(next);
    CaFiles.writePublic(directory.resolve(INTERMEDIATE), Pem.certificates(List.of(next.certificate())));
    return archived;
  }

  /** The root key files in this directory, protected like the intermediate's key. */
  public RootKeyDirectory rootKeys() {
    return new RootKeyDirectory(directory, protection, random);
  }

  /** The intermediate's key file. */
  public PrivateKeyFile intermediateKeyFile() {
    return new PrivateKeyFile(directory.resolve(INTERMEDIATE_KEY), protection);
  }

  private void refuseIfInitialized() throws IOException {
    if (isInitialized()) {
      throw new IOException("refusing to overwrite the CA already in " + directory);
    }
  }

  // The intermediate's certificate is written last: isInitialized() implies every file is there.
  private void writeOnlinePart(CaHierarchy hierarchy) throws IOException {
    CaFiles.writePublic(bundlePath(), Pem.certificates(List.of(hierarchy.root())));
    writeIntermediateKey(hierarchy.intermediate());
    CaFiles.writePublic(
        directory.resolve(INTERMEDIATE), Pem.certificates(List.of(hierarchy.intermediate().certificate())));
  }

  /** The key file, or for a key in a token the reference to it; whichever is not used goes. */
  private void writeIntermediateKey(IntermediateCa intermediate) throws IOException {
    Path reference = directory.resolve(INTERMEDIATE_KEY_REFERENCE);
    if (intermediate.keySource() instanceof CaKeySource.InToken inToken) {
      new TokenKeyReference(inToken.label()).write(reference);
      Files.deleteIfExists(directory.resolve(INTERMEDIATE_KEY));
    } else {
      intermediateKeyFile().write(intermediate.privateKey(), random);
      Files.deleteIfExists(reference);
    }
  }

  private static List<X509Certificate> readCertificates(Path file) throws IOException, CaLoadException {
    String pem = new String(CaFiles.read(file), StandardCharsets.US_ASCII);
    try {
      return Pem.parseCertificates(pem);
    } catch (PemException e) {
      throw new CaLoadException(file + ": " + e.getMessage());
    }
  }
}
