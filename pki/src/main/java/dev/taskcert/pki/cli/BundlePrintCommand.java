package dev.taskcert.pki.cli;

import dev.taskcert.pki.ca.CaDirectory;
import dev.taskcert.pki.ca.CertificateFingerprint;
import dev.taskcert.pki.ca.SpiffeBundle;
import dev.taskcert.pki.ca.TrustBundle;
import dev.taskcert.pki.pem.Pem;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code bundle print}: lists the trusted roots, or prints them as PEM. */
@Command(
    name = "print",
    mixinStandardHelpOptions = true,
    version = CaCli.VERSION,
    description = {
      "Lists the trusted roots.",
      "",
      "Shows each root of the trust bundle with its SHA-256 fingerprint and validity, or prints the bundle as PEM, or as a SPIFFE bundle (JWK Set with use x509-svid, spiffe_sequence and spiffe_refresh_hint) for SPIFFE-aware relying parties."
    })
final class BundlePrintCommand extends CaSubcommand {
  @Option(names = "--ca-dir", required = true, paramLabel = "DIR", description = "the online CA directory")
  Path caDirectory;

  @Option(names = "--pem", description = "print the bundle as PEM, e.g. to hand it to relying parties (same as --format pem)")
  boolean pem;

  /** How the bundle is printed. */
  enum Format { text, pem, spiffe }

  @Option(
      names = "--format",
      paramLabel = "FORMAT",
      defaultValue = "text",
      description = "text (default), pem, or spiffe: the SPIFFE bundle format (JSON)")
  Format format;

  @Option(
      names = "--refresh-hint",
      paramLabel = "DURATION",
      defaultValue = "PT5M",
      description = "with --format spiffe: spiffe_refresh_hint, how often relying parties fetch the bundle again (default ${DEFAULT-VALUE})")
  Duration refreshHint;

  @Option(
      names = "--sequence",
      paramLabel = "N",
      description = "with --format spiffe: spiffe_sequence (default: the modification time of bundle.pem in seconds since the epoch, which grows with every change)")
  Long sequence;

  @Override
  protected void execute() throws Exception {
    CaDirectory ca = new CaDirectory(caDirectory);
    TrustBundle bundle = ca.loadTrustBundle();
    PrintWriter out = out();
    if (pem || format == Format.pem) {
      out.print(Pem.certificates(bundle.roots()));
      return;
    }
    if (format == Format.spiffe) {
      if (refreshHint.isNegative() || refreshHint.isZero()) {
        throw usageError("--refresh-hint must be positive, got " + asGiven("--refresh-hint"));
      }
      long number = sequence != null ? sequence : Files.getLastModifiedTime(ca.bundlePath()).toInstant().getEpochSecond();
      out.print(SpiffeBundle.json(bundle, number, refreshHint));
      return;
    }
    Optional<X509Certificate> signing = Files.exists(ca.path().resolve(CaDirectory.INTERMEDIATE))
        ? bundle.issuerOf(ca.loadIntermediateCertificate())
        : Optional.empty();
    int index = 0;
    for (X509Certificate root : bundle.roots()) {
      index++;
      out.printf("root %d of %d: %s%n", index, bundle.roots().size(), root.getSubjectX500Principal().getName());
      out.printf("  sha256:  %s%n", CertificateFingerprint.of(root));
      out.printf("  valid:   %s to %s%n", root.getNotBefore().toInstant(), root.getNotAfter().toInstant());
      out.printf("  key:     %s%n", CertificateReport.describeKey(root.getPublicKey()));
      if (signing.isPresent() && signing.get().equals(root)) {
        out.println("  signs the current intermediate");
      }
    }
  }
}
