package dev.taskcert.pki.ca;

import dev.taskcert.pki.pem.Pem;
import dev.taskcert.pki.pem.PemException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * Where a root's certificate and private key live: {@code root.pem} and {@code root-key.pem}. In
 * development that is the online CA directory; in production a separate directory that is kept
 * offline and brought back only to sign a new intermediate.
 */
public final class RootKeyDirectory {
  public static final String CERTIFICATE = "root.pem";
  public static final String KEY = "root-key.pem";

  private final Path directory;
  private final KeyProtection protection;
  private final SecureRandom random;

  public RootKeyDirectory(Path directory, KeyProtection protection, SecureRandom random) {
    this.directory = directory;
    this.protection = protection;
    this.random = random;
  }

  public Path path() {
    return directory;
  }

  /** Whether a root key is stored here. */
  public boolean holdsKey() {
    return Files.exists(directory.resolve(KEY));
  }

  /**
   * Loads the root and checks that the key belongs to the certificate.
   *
   * @throws CaLoadException if either file is missing or unusable, or they do not match
   */
  public RootCa load() throws IOException, CaLoadException {
    X509Certificate certificate = loadCertificate();
    return new RootCa(certificate, keyFile().readMatching(certificate));
  }

  /** The root certificate stored here, without touching the key. */
  public X509Certificate loadCertificate() throws IOException, CaLoadException {
    Path certificateFile = directory.resolve(CERTIFICATE);
    if (!Files.exists(certificateFile)) {
      throw new CaLoadException(certificateFile + " does not exist");
    }
    try {
      return Pem.parseCertificates(Files.readString(certificateFile, StandardCharsets.US_ASCII)).get(0);
    } catch (PemException e) {
      throw new CaLoadException(certificateFile + ": " + e.getMessage());
    }
  }

  /** Writes a new root here, refusing to overwrite a root key already present. */
  public void write(RootCa root) throws IOException {
    if (holdsKey()) {
      throw new IOException("refusing to overwrite the root key already in " + directory);
    }
    writeOver(root);
  }

  /**
   * Writes a new root here, first renaming an existing pair to {@code root-<serial>.pem} and
   * {@code root-key-<serial>.pem} (serial of the old root, in hex).
   *
   * @return the archived files, empty if there was no root here
   */
  public List<Path> replace(RootCa root) throws IOException, CaLoadException {
    Path certificateFile = directory.resolve(CERTIFICATE);
    Path keyFile = directory.resolve(KEY);
    if (!Files.exists(keyFile)) {
      writeOver(root);
      return List.of();
    }
    String serial = loadCertificate().getSerialNumber().toString(16);
    Path archivedCertificate = directory.resolve("root-" + serial + ".pem");
    Path archivedKey = directory.resolve("root-key-" + serial + ".pem");
    Files.move(keyFile, archivedKey, StandardCopyOption.REPLACE_EXISTING);
    Files.move(certificateFile, archivedCertificate, StandardCopyOption.REPLACE_EXISTING);
    writeOver(root);
    return List.of(archivedCertificate, archivedKey);
  }

  /** Writes the pair, replacing whatever is there; for a CA directory that holds no CA yet. */
  void writeOver(RootCa root) throws IOException {
    CaFiles.createPrivateDirectories(directory);
    keyFile().write(root.privateKey(), random);
    CaFiles.writePublic(directory.resolve(CERTIFICATE), Pem.certificates(List.of(root.certificate())));
  }

  private PrivateKeyFile keyFile() {
    return new PrivateKeyFile(directory.resolve(KEY), protection);
  }
}
