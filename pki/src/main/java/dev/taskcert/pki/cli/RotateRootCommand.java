package dev.taskcert.pki.cli;

import dev.taskcert.pki.ca.CaDirectory;
import dev.taskcert.pki.ca.CaHierarchy;
import dev.taskcert.pki.ca.CertificateFingerprint;
import dev.taskcert.pki.ca.KeyAlgorithm;
import dev.taskcert.pki.ca.KeyProtection;
import dev.taskcert.pki.ca.RootCa;
import dev.taskcert.pki.ca.RootKeyDirectory;
import dev.taskcert.pki.ca.TrustBundle;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code rotate-root}: the first step of a root rollover. */
@Command(
    name = "rotate-root",
    mixinStandardHelpOptions = true,
    version = CaCli.VERSION,
    description = {
      "Starts a root rollover: adds a new root to the bundle.",
      "",
      "Creates a new root and adds it to bundle.pem next to the old one; the online intermediate is not changed. Once every relying party has the new bundle, run rotate-intermediate --root-key-dir <new root directory>; once everything issued under the old root has expired, run bundle remove <old fingerprint>."
    })
final class RotateRootCommand extends CaSubcommand {
  @Option(names = "--ca-dir", required = true, paramLabel = "DIR", description = "the online CA directory")
  Path caDirectory;

  @Option(
      names = "--root-key-out",
      paramLabel = "DIR",
      description = "write the new root.pem and root-key.pem to DIR (default: the CA directory, where an existing"
          + " root pair is renamed to root-<serial>.pem and root-key-<serial>.pem)")
  Path rootKeyOut;

  @Option(
      names = "--algorithm",
      paramLabel = "ALGORITHM",
      defaultValue = "EC_P256",
      converter = Converters.KeyAlgorithms.class,
      description = "key type of the new root: ${COMPLETION-CANDIDATES} (default ${DEFAULT-VALUE})")
  KeyAlgorithm algorithm;

  @ArgGroup(exclusive = true, heading = "Passphrase of the CA keys (required unless a root passphrase is given):%n")
  PassphraseOptions passphrase;

  @ArgGroup(exclusive = true, heading = "Separate passphrase for the root key (optional):%n")
  RootPassphraseOptions rootPassphrase;

  @Override
  protected void execute() throws Exception {
    KeyProtection rootKeys = rootPassphrase != null
        ? rootPassphrase.protection(context())
        : writeProtection(passphrase);
    CliContext context = context();
    CaDirectory ca = new CaDirectory(caDirectory);
    if (!ca.isInitialized()) {
      throw new OperationFailedException(caDirectory + " holds no CA; run init first");
    }
    TrustBundle bundle = ca.loadTrustBundle();
    RootCa root = CaHierarchy.createRoot(
        CaHierarchy.trustDomainOf(ca.loadIntermediateCertificate()), algorithm,
        context.clock().instant(), context.random());
    Path rootPath = rootKeyOut != null ? rootKeyOut : caDirectory;
    RootKeyDirectory rootDirectory = new RootKeyDirectory(rootPath, rootKeys, context.random());
    List<Path> archived = List.of();
    if (rootKeyOut != null) {
      if (rootDirectory.holdsKey()) {
        throw new OperationFailedException(rootKeyOut + " already holds a root key; refusing to overwrite it");
      }
      rootDirectory.write(root);
    } else {
      archived = rootDirectory.replace(root);
    }
    TrustBundle updated = bundle.with(root.certificate());
    ca.writeTrustBundle(updated);

    PrintWriter out = out();
    out.printf("new root:      %s%n", root.certificate().getSubjectX500Principal().getName());
    out.printf("  sha256:      %s%n", CertificateFingerprint.of(root.certificate()));
    out.printf("  valid until: %s%n", root.certificate().getNotAfter().toInstant());
    out.printf("root key:      %s (%s)%n", rootPath.resolve(RootKeyDirectory.KEY).toAbsolutePath(), rootKeys.describe());
    archived.forEach(file -> out.printf("previous root kept: %s%n", file));
    out.printf("%s now holds %d roots.%n", ca.bundlePath(), updated.roots().size());
    out.println("Next: give the new bundle to every relying party, then run rotate-intermediate --root-key-dir "
        + rootPath + ".");
  }
}
