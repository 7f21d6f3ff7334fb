package dev.taskcert.pki.cli;

import dev.taskcert.pki.ca.CaDirectory;
import dev.taskcert.pki.ca.CertificateFingerprint;
import dev.taskcert.pki.ca.DistrustedIntermediates;
import dev.taskcert.pki.pem.Pem;
import dev.taskcert.pki.pem.PemException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code distrust-intermediate}: stops trusting one intermediate and everything under it, without
 * a root rollover, for when its key may have leaked.
 */
@Command(
    name = "distrust-intermediate",
    mixinStandardHelpOptions = true,
    version = CaCli.VERSION,
    description = {
      "Distrusts an intermediate and every certificate under it.",
      "",
      "For an intermediate whose key may have leaked: rotate-intermediate first, then distrust the old one. It is recorded (by its key) in distrusted-intermediates.pem in the CA directory; running servers refuse every client chain that contains it within ca.reload_interval, on new connections and on calls of open ones, although its root stays trusted. Refuses the current intermediate and roots."
    })
final class DistrustIntermediateCommand extends CaSubcommand {
  @Option(names = "--ca-dir", required = true, paramLabel = "DIR", description = "the online CA directory")
  Path caDirectory;

  @Parameters(
      index = "0",
      paramLabel = "FINGERPRINT|PEM",
      description = "SHA-256 fingerprint of a retired intermediate kept in the CA directory (intermediate-<serial>.pem),"
          + " or a PEM file holding the intermediate's certificate")
  String intermediate;

  @Override
  protected void execute() throws Exception {
    CaDirectory ca = new CaDirectory(caDirectory);
    if (!ca.isInitialized()) {
      throw new OperationFailedException(caDirectory + " holds no CA");
    }
    X509Certificate target = resolve(ca);
    if (target.getBasicConstraints() < 0) {
      throw new OperationFailedException(name(target) + " is not a CA certificate; revoke a leaf with 'crl' instead");
    }
    if (target.getSubjectX500Principal().equals(target.getIssuerX500Principal())) {
      throw new OperationFailedException(name(target) + " is a root; remove it with 'bundle remove' instead");
    }
    X509Certificate current = ca.loadIntermediateCertificate();
    if (DistrustedIntermediates.keyHash(target).equals(DistrustedIntermediates.keyHash(current))) {
      throw new OperationFailedException(
          name(target) + " is the current intermediate; run rotate-intermediate first, then distrust it");
    }
    DistrustedIntermediates distrusted = DistrustedIntermediates.load(caDirectory);
    PrintWriter out = out();
    if (distrusted.contains(target)) {
      out.printf("already distrusted: %s %s%n", CertificateFingerprint.of(target), name(target));
      return;
    }
    DistrustedIntermediates updated = distrusted.with(target);
    updated.write(caDirectory);
    out.printf("distrusted: %s %s%n", CertificateFingerprint.of(target), name(target));
    out.printf("  key sha256: %s%n", DistrustedIntermediates.keyHash(target));
    out.printf("%s now lists %d intermediate(s). Running servers refuse chains through it within their"
        + " ca.reload_interval; copy the file to every server's CA directory.%n",
        caDirectory.resolve(DistrustedIntermediates.FILE), updated.certificates().size());
  }

  private X509Certificate resolve(CaDirectory ca) throws Exception {
    Path file = Path.of(intermediate);
    if (Files.isRegularFile(file)) {
      try {
        return Pem.parseCertificates(Files.readString(file, StandardCharsets.US_ASCII)).get(0);
      } catch (PemException e) {
        throw new OperationFailedException(file + ": " + e.getMessage());
      }
    }
    CertificateFingerprint fingerprint;
    try {
      fingerprint = CertificateFingerprint.parse(intermediate);
    } catch (IllegalArgumentException e) {
      throw usageError(intermediate + " is neither a file nor a SHA-256 fingerprint (64 hex digits)");
    }
    List<X509Certificate> known = new ArrayList<>(ca.loadRetiredIntermediates());
    known.add(ca.loadIntermediateCertificate());
    return known.stream().filter(certificate -> CertificateFingerprint.of(certificate).equals(fingerprint)).findFirst()
        .orElseThrow(() -> new OperationFailedException("no intermediate with fingerprint " + fingerprint + " in "
            + caDirectory + "; pass the intermediate's PEM file instead"));
  }

  private static String name(X509Certificate certificate) {
    return certificate.getSubjectX500Principal().getName();
  }
}
