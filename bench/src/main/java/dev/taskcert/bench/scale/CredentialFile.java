package dev.taskcert.bench.scale;

import dev.taskcert.supervisor.credentials.TaskCredentials;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Hands many task credentials from the benchmark's server process to its supervisor process: a
 * temporary file (mode 0600, deleted after use) whose first line is the trust roots and each
 * further line one supervisor's EC private key (PKCS#8) and certificate chain, all base64 DER.
 * Only benchmark certificates of a throw-away CA ever go through it.
 */
public final class CredentialFile {
  private CredentialFile() {}

  /** Creates an empty owner-only temporary file. */
  public static Path create() throws IOException {
    return Files.createTempFile("taskcert-bench-credentials", ".txt",
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
  }

  /** Writes {@code roots} then one line per supervisor. */
  public static void write(Path file, List<X509Certificate> roots, List<PrivateKey> keys,
      List<List<X509Certificate>> chains) throws IOException, GeneralSecurityException {
    Base64.Encoder base64 = Base64.getEncoder();
    try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.US_ASCII)) {
      out.write(certificates(roots));
      out.newLine();
      for (int i = 0; i < keys.size(); i++) {
        out.write(base64.encodeToString(keys.get(i).getEncoded()));
        out.write(' ');
        out.write(certificates(chains.get(i)));
        out.newLine();
      }
    }
  }

  /** Reads every supervisor's credentials. */
  public static List<TaskCredentials> read(Path file) throws IOException, GeneralSecurityException {
    Base64.Decoder base64 = Base64.getDecoder();
    KeyFactory ec = KeyFactory.getInstance("EC");
    List<TaskCredentials> credentials = new ArrayList<>();
    try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.US_ASCII)) {
      List<X509Certificate> roots = certificates(in.readLine());
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        int space = line.indexOf(' ');
        PrivateKey key = ec.generatePrivate(new PKCS8EncodedKeySpec(base64.decode(line.substring(0, space))));
        List<X509Certificate> chain = certificates(line.substring(space + 1));
        credentials.add(new TaskCredentials(key, chain, roots, "", chain.get(0).getSerialNumber().toString(16),
            chain.get(0).getNotAfter().toInstant()));
      }
    }
    return credentials;
  }

  private static String certificates(List<X509Certificate> certificates) throws GeneralSecurityException {
    List<String> encoded = new ArrayList<>();
    for (X509Certificate certificate : certificates) {
      encoded.add(Base64.getEncoder().encodeToString(certificate.getEncoded()));
    }
    return String.join(",", encoded);
  }

  private static List<X509Certificate> certificates(String line) throws GeneralSecurityException {
    CertificateFactory factory = CertificateFactory.getInstance("X.509");
    List<X509Certificate> certificates = new ArrayList<>();
    for (String part : line.split(",")) {
      certificates.add((X509Certificate) factory.generateCertificate(
          new ByteArrayInputStream(Base64.getDecoder().decode(part))));
    }
    return certificates;
  }
}
