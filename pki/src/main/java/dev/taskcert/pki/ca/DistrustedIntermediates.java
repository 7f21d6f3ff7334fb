package dev.taskcert.pki.ca;

import dev.taskcert.pki.pem.Pem;
import dev.taskcert.pki.pem.PemException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Intermediates the operator no longer trusts, for example after their key leaked: kept as {@code
 * distrusted-intermediates.pem} in the CA directory and refused by the server wherever they appear
 * in a client's chain, although their root stays trusted. A certificate is distrusted by its public
 * key (SHA-256 of the SubjectPublicKeyInfo), so every certificate ever made for that key is.
 */
public final class DistrustedIntermediates {
  /** The file in the CA directory. */
  public static final String FILE = "distrusted-intermediates.pem";

  private final List<X509Certificate> certificates;
  private final Set<String> keys;

  /** @param certificates the distrusted intermediates, in the order they were added */
  public DistrustedIntermediates(List<X509Certificate> certificates) {
    this.certificates = List.copyOf(certificates);
    this.keys = this.certificates.stream().map(DistrustedIntermediates::keyHash).collect(Collectors.toUnmodifiableSet());
  }

  /** The distrusted intermediates, in the order they were added. */
  public List<X509Certificate> certificates() {
    return certificates;
  }

  /** None distrusted. */
  public static DistrustedIntermediates none() {
    return new DistrustedIntermediates(List.of());
  }

  /** What {@code caDirectory} records; none if the file does not exist. */
  public static DistrustedIntermediates load(Path caDirectory) throws CaLoadException {
    Path file = caDirectory.resolve(FILE);
    if (!Files.exists(file)) {
      return none();
    }
    String pem = new String(CaFiles.read(file), StandardCharsets.US_ASCII);
    if (pem.isBlank()) {
      return none();
    }
    try {
      return new DistrustedIntermediates(Pem.parseCertificates(pem));
    } catch (PemException e) {
      throw new CaLoadException(file + ": " + e.getMessage());
    }
  }

  /** Writes the list to {@code caDirectory} (mode 0644, replaced atomically). */
  public void write(Path caDirectory) throws IOException {
    CaFiles.writePublic(caDirectory.resolve(FILE), Pem.certificates(certificates));
  }

  public boolean isEmpty() {
    return certificates.isEmpty();
  }

  /** Whether {@code certificate}'s public key is distrusted. */
  public boolean contains(X509Certificate certificate) {
    return !keys.isEmpty() && keys.contains(keyHash(certificate));
  }

  /** The first certificate of {@code chain} whose key is distrusted, if any. */
  public Optional<X509Certificate> firstIn(List<X509Certificate> chain) {
    if (keys.isEmpty()) {
      return Optional.empty();
    }
    return chain.stream().filter(certificate -> keys.contains(keyHash(certificate))).findFirst();
  }

  /** This list with {@code intermediate} added; the same list if its key is already distrusted. */
  public DistrustedIntermediates with(X509Certificate intermediate) {
    if (contains(intermediate)) {
      return this;
    }
    List<X509Certificate> more = new ArrayList<>(certificates);
    more.add(intermediate);
    return new DistrustedIntermediates(more);
  }

  /** SHA-256 of the certificate's SubjectPublicKeyInfo, lower-case hex: what identifies a key. */
  public static String keyHash(X509Certificate certificate) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(certificate.getPublicKey().getEncoded());
      return HexFormat.of().formatHex(digest);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("SHA-256 is always available", e);
    }
  }
}
