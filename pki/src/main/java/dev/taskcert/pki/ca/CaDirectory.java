package dev.taskcert.pki.ca;

import dev.taskcert.pki.identity.TrustDomain;
import dev.taskcert.pki.pem.Pem;
import dev.taskcert.pki.pem.PemException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The CA's files in one directory: {@code root.pem}, {@code root-key.pem}, {@code intermediate.pem},
 * {@code intermediate-key.pem} and {@code bundle.pem} (the roots relying parties trust).
 *
 * <p>Private keys are written with mode 0600 and refused on load when group or world can read them.
 */
public final class CaDirectory {
  private static final Logger log = LoggerFactory.getLogger(CaDirectory.class);
  private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

  public static final String ROOT = "root.pem";
  public static final String ROOT_KEY = "root-key.pem";
  public static final String INTERMEDIATE = "intermediate.pem";
  public static final String INTERMEDIATE_KEY = "intermediate-key.pem";
  public static final String BUNDLE = "bundle.pem";

  private final Path directory;

  public CaDirectory(Path directory) {
    this.directory = directory;
  }

  public Path path() {
    return directory;
  }

  public Path bundlePath() {
    return directory.resolve(BUNDLE);
  }

  /** Whether an intermediate has been written here. */
  public boolean isInitialized() {
    return Files.exists(directory.resolve(INTERMEDIATE)) && Files.exists(directory.resolve(INTERMEDIATE_KEY));
  }

  /**
   * Loads the CA, or creates and writes a new hierarchy first if the directory holds none.
   */
  public IntermediateCa loadOrInitialize(
      TrustDomain trustDomain, KeyAlgorithm algorithm, Instant now, SecureRandom random)
      throws IOException, CaLoadException {
    if (!isInitialized()) {
      log.info("No CA in {}; creating a {} root and intermediate for trust domain {}",
          directory, algorithm, trustDomain);
      write(CaHierarchy.create(trustDomain, algorithm, now, random));
    }
    return loadIntermediate();
  }

  /** Writes a whole hierarchy, refusing to overwrite an existing one. */
  public void write(CaHierarchy hierarchy) throws IOException {
    if (isInitialized()) {
      throw new IOException("refusing to overwrite the CA already in " + directory);
    }
    Files.createDirectories(directory);
    writePublic(ROOT, Pem.certificates(List.of(hierarchy.root())));
    writePrivate(ROOT_KEY, Pem.privateKey(hierarchy.rootKey()));
    writePrivate(INTERMEDIATE_KEY, Pem.privateKey(hierarchy.intermediate().privateKey()));
    writePublic(INTERMEDIATE, Pem.certificates(List.of(hierarchy.intermediate().certificate())));
    writePublic(BUNDLE, Pem.certificates(List.of(hierarchy.root())));
  }

  /** Loads the online intermediate and checks that it chains to a root of the bundle. */
  public IntermediateCa loadIntermediate() throws IOException, CaLoadException {
    X509Certificate intermediate = readCertificates(INTERMEDIATE).get(0);
    PrivateKey key = readPrivateKey(INTERMEDIATE_KEY);
    checkKeyMatches(intermediate.getPublicKey(), key, INTERMEDIATE_KEY);
    for (X509Certificate root : loadTrustBundle().roots()) {
      if (root.getSubjectX500Principal().equals(intermediate.getIssuerX500Principal())) {
        try {
          intermediate.verify(root.getPublicKey());
          return new IntermediateCa(intermediate, key, root);
        } catch (java.security.GeneralSecurityException e) {
          // Same name but another key (an earlier root generation): keep looking.
        }
      }
    }
    throw new CaLoadException(INTERMEDIATE + " is not signed by any root in " + BUNDLE);
  }

  /** Loads the roots relying parties should trust. */
  public TrustBundle loadTrustBundle() throws IOException, CaLoadException {
    return new TrustBundle(readCertificates(BUNDLE));
  }

  private List<X509Certificate> readCertificates(String name) throws IOException, CaLoadException {
    Path file = directory.resolve(name);
    if (!Files.exists(file)) {
      throw new CaLoadException(file + " does not exist");
    }
    try {
      return Pem.parseCertificates(Files.readString(file, StandardCharsets.US_ASCII));
    } catch (PemException e) {
      throw new CaLoadException(file + ": " + e.getMessage());
    }
  }

  private PrivateKey readPrivateKey(String name) throws IOException, CaLoadException {
    Path file = directory.resolve(name);
    if (!Files.exists(file)) {
      throw new CaLoadException(file + " does not exist");
    }
    Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
    if (!OWNER_ONLY.containsAll(permissions)) {
      throw new CaLoadException(
          file + " is readable by group or others (" + PosixFilePermissions.toString(permissions)
              + "); run chmod 600 on it");
    }
    try {
      return Pem.parsePrivateKey(Files.readString(file, StandardCharsets.US_ASCII));
    } catch (PemException e) {
      throw new CaLoadException(file + ": " + e.getMessage());
    }
  }

  private static void checkKeyMatches(PublicKey publicKey, PrivateKey privateKey, String name)
      throws CaLoadException {
    if (!KeyPairs.matches(publicKey, privateKey)) {
      throw new CaLoadException(name + " does not match the public key of its certificate");
    }
  }

  private void writePublic(String name, String content) throws IOException {
    writeAtomically(name, content, PosixFilePermissions.fromString("rw-r--r--"));
  }

  private void writePrivate(String name, String content) throws IOException {
    writeAtomically(name, content, OWNER_ONLY);
  }

  private void writeAtomically(String name, String content, Set<PosixFilePermission> permissions)
      throws IOException {
    Path target = directory.resolve(name);
    Path temp = Files.createTempFile(directory, "." + name, ".tmp",
        PosixFilePermissions.asFileAttribute(permissions));
    try {
      Files.writeString(temp, content, StandardCharsets.US_ASCII);
      try {
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(temp);
    }
  }
}
