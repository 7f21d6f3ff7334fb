package dev.taskcert.pki.cli;

import dev.taskcert.pki.ca.CaDirectory;
import dev.taskcert.pki.ca.CaLoadException;
import dev.taskcert.pki.ca.CertificateFingerprint;
import dev.taskcert.pki.ca.ChainCheck;
import dev.taskcert.pki.ca.ChainVerifier;
import dev.taskcert.pki.ca.TrustBundle;
import dev.taskcert.pki.pem.Pem;
import dev.taskcert.pki.pem.PemException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code inspect}: what a certificate says, and whether it chains to the trust bundle. */
@Command(
    name = "inspect",
    mixinStandardHelpOptions = true,
    version = CaCli.VERSION,
    description = {
      "Decodes a certificate and checks its chain.",
      "",
      "Prints the task try or admin name of its SPIFFE ID, validity, serial and issuer, then checks the chain against the trust bundle with PKIX validation. Exits with 1 when the chain check fails, so scripts can rely on it."
    })
final class InspectCommand extends CaSubcommand {
  @Parameters(
      index = "0",
      paramLabel = "PEM",
      description = "certificate file: the certificate first, optionally followed by its intermediates")
  Path file;

  @Option(
      names = "--ca-dir",
      paramLabel = "DIR",
      description = "CA directory whose bundle.pem to check against, and whose current and retired intermediates to use")
  Path caDirectory;

  @Option(
      names = "--bundle",
      paramLabel = "FILE",
      description = "check against the roots in FILE instead of the CA directory's bundle")
  Path bundleFile;

  @Option(
      names = "--at",
      paramLabel = "INSTANT",
      description = "check validity at this time, ISO-8601 such as 2026-01-01T00:00:00Z (default: now)")
  Instant at;

  @Override
  protected void execute() throws Exception {
    if (caDirectory == null && bundleFile == null) {
      throw usageError("give --ca-dir or --bundle: the trust bundle to check the chain against");
    }
    Instant when = at != null ? at : context().clock().instant();
    List<X509Certificate> certificates = readCertificates(file);
    X509Certificate certificate = certificates.get(0);
    PrintWriter out = out();
    CertificateReport.line(out, "file", file + " (" + certificates.size() + " certificate"
        + (certificates.size() == 1 ? ")" : "s)"));
    new CertificateReport(certificate).print(out, when);

    TrustBundle bundle = bundleFile != null
        ? new TrustBundle(readCertificates(bundleFile))
        : new CaDirectory(caDirectory).loadTrustBundle();
    List<X509Certificate> intermediates = new ArrayList<>(certificates.subList(1, certificates.size()));
    if (caDirectory != null) {
      intermediates.addAll(knownIntermediates(new CaDirectory(caDirectory)));
    }
    ChainCheck check = new ChainVerifier(bundle).verify(certificate, intermediates, when);
    if (check instanceof ChainCheck.Valid valid) {
      String via = valid.path().size() > 1
          ? "via intermediate serial " + valid.path().get(1).getSerialNumber().toString(16) + " "
          : "";
      CertificateReport.line(out, "chain", "OK " + via + "to root "
          + valid.root().getSubjectX500Principal().getName()
          + " (sha256 " + CertificateFingerprint.of(valid.root()) + ")");
    } else {
      String reason = ((ChainCheck.Invalid) check).reason();
      CertificateReport.line(out, "chain", "FAILED: " + reason);
      throw new OperationFailedException("chain check failed: " + reason);
    }
  }

  private static List<X509Certificate> knownIntermediates(CaDirectory ca) throws IOException, CaLoadException {
    List<X509Certificate> known = new ArrayList<>(ca.loadRetiredIntermediates());
    if (Files.exists(ca.path().resolve(CaDirectory.INTERMEDIATE))) {
      known.add(ca.loadIntermediateCertificate());
    }
    return known;
  }

  private static List<X509Certificate> readCertificates(Path file) throws IOException, OperationFailedException {
    try {
      return Pem.parseCertificates(Files.readString(file, StandardCharsets.US_ASCII));
    } catch (PemException e) {
      throw new OperationFailedException(file + ": " + e.getMessage());
    }
  }
}
