package dev.taskcert.pki.cli;

import dev.taskcert.pki.ca.CaDirectory;
import dev.taskcert.pki.ca.CertificateFingerprint;
import dev.taskcert.pki.ca.TrustBundle;
import dev.taskcert.pki.pem.Pem;
import dev.taskcert.pki.pem.PemException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code bundle add}: trusts an existing root certificate. */
@Command(
    name = "add",
    mixinStandardHelpOptions = true,
    version = CaCli.VERSION,
    description = {
      "Adds existing root certificates to the trust bundle.",
      "",
      "For a root made elsewhere, e.g. on an offline machine. Roots already in the bundle are left alone. (rotate-root creates and adds a root in one step.)"
    })
final class BundleAddCommand extends CaSubcommand {
  @Option(names = "--ca-dir", required = true, paramLabel = "DIR", description = "the online CA directory")
  Path caDirectory;

  @Parameters(index = "0", paramLabel = "PEM", description = "file with one or more self-signed root certificates")
  Path file;

  @Override
  protected void execute() throws Exception {
    List<X509Certificate> roots;
    try {
      roots = Pem.parseCertificates(Files.readString(file, StandardCharsets.US_ASCII));
    } catch (PemException e) {
      throw new OperationFailedException(file + ": " + e.getMessage());
    }
    CaDirectory ca = new CaDirectory(caDirectory);
    TrustBundle bundle = ca.loadTrustBundle();
    TrustBundle updated = bundle;
    PrintWriter out = out();
    for (X509Certificate root : roots) {
      try {
        TrustBundle.requireRoot(root);
      } catch (IllegalArgumentException e) {
        throw new OperationFailedException(file + ": " + e.getMessage() + "; nothing was added");
      }
      String name = CertificateFingerprint.of(root) + " " + root.getSubjectX500Principal().getName();
      if (updated.contains(root)) {
        out.println("already trusted: " + name);
      } else {
        updated = updated.with(root);
        out.println("added: " + name);
      }
    }
    if (updated != bundle) {
      ca.writeTrustBundle(updated);
    }
    out.printf("%s now holds %d roots; give it to every relying party.%n", ca.bundlePath(), updated.roots().size());
  }
}
