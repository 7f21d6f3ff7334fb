package dev.taskcert.pki.cli;

import dev.taskcert.pki.ca.CaDirectory;
import dev.taskcert.pki.ca.CertificateFingerprint;
import dev.taskcert.pki.ca.TrustBundle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code bundle remove}: stops trusting a root, the last step of a root rollover. */
@Command(
    name = "remove",
    mixinStandardHelpOptions = true,
    version = CaCli.VERSION,
    description = {
      "Removes a root from the trust bundle.",
      "",
      "Every certificate chaining to it fails verification once relying parties load the new bundle. Refuses the root that signs the current intermediate, and the last root."
    })
final class BundleRemoveCommand extends CaSubcommand {
  @Option(names = "--ca-dir", required = true, paramLabel = "DIR", description = "the online CA directory")
  Path caDirectory;

  @Parameters(
      index = "0",
      paramLabel = "FINGERPRINT",
      converter = Converters.Fingerprints.class,
      description = "SHA-256 fingerprint of the root, as bundle print shows it (colons and upper case accepted)")
  CertificateFingerprint fingerprint;

  @Override
  protected void execute() throws Exception {
    CaDirectory ca = new CaDirectory(caDirectory);
    TrustBundle bundle = ca.loadTrustBundle();
    X509Certificate root = bundle.find(fingerprint).orElseThrow(
        () -> new OperationFailedException("no root with fingerprint " + fingerprint + " in " + ca.bundlePath()));
    if (Files.exists(ca.path().resolve(CaDirectory.INTERMEDIATE))
        && bundle.issuerOf(ca.loadIntermediateCertificate()).filter(root::equals).isPresent()) {
      throw new OperationFailedException(
          "root " + fingerprint + " signs the current intermediate; rotate the intermediate to another root first");
    }
    if (bundle.roots().size() == 1) {
      throw new OperationFailedException("root " + fingerprint + " is the only root of the bundle");
    }
    TrustBundle updated = bundle.without(fingerprint);
    ca.writeTrustBundle(updated);
    out().printf("removed: %s %s%n", fingerprint, root.getSubjectX500Principal().getName());
    out().printf("%s now holds %d root%s; give it to every relying party.%n",
        ca.bundlePath(), updated.roots().size(), updated.roots().size() == 1 ? "" : "s");
  }
}
