package dev.taskcert.pki.cli;

import dev.taskcert.pki.ca.CaDirectory;
import dev.taskcert.pki.ca.CaHierarchy;
import dev.taskcert.pki.ca.CertificateFingerprint;
import dev.taskcert.pki.ca.KeyAlgorithm;
import dev.taskcert.pki.ca.KeyProtection;
import dev.taskcert.pki.ca.RootKeyDirectory;
import dev.taskcert.pki.identity.TrustDomain;
import java.io.PrintWriter;
import java.nio.file.Path;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code init}: creates the root, the intermediate and the trust bundle. */
@Command(
    name = "init",
    mixinStandardHelpOptions = true,
    version = CaCli.VERSION,
    description = {
      "Creates a new CA: root, intermediate and trust bundle.",
      "",
      "Writes bundle.pem (the root), intermediate.pem and intermediate-key.pem to the CA directory. The root's certificate and key (root.pem, root-key.pem) go to a separate directory that you then take offline: --root-key-out, by default <ca-dir>-root next to the CA directory. --keep-root-online keeps them in the CA directory instead (development only)."
    })
final class InitCommand extends CaSubcommand {
  @Option(
      names = "--ca-dir",
      required = true,
      paramLabel = "DIR",
      description = "the online CA directory to create; refused if it already holds a CA")
  Path caDirectory;

  @Option(
      names = "--trust-domain",
      required = true,
      paramLabel = "NAME",
      converter = Converters.TrustDomains.class,
      description = "SPIFFE trust domain of every identity this CA certifies, e.g. taskcert.example.com")
  TrustDomain trustDomain;

  @Option(
      names = "--algorithm",
      paramLabel = "ALGORITHM",
      defaultValue = "EC_P256",
      converter = Converters.KeyAlgorithms.class,
      description = "key type of root and intermediate: ${COMPLETION-CANDIDATES} (default ${DEFAULT-VALUE})")
  KeyAlgorithm algorithm;

  @Option(
      names = "--root-key-out",
      paramLabel = "DIR",
      description = "write root.pem and root-key.pem to DIR, to take offline (default: <ca-dir>-root)")
  Path rootKeyOut;

  @Option(
      names = "--keep-root-online",
      description = "keep root.pem and root-key.pem in the CA directory, next to the intermediate's key (development only)")
  boolean keepRootOnline;

  @ArgGroup(exclusive = true, heading = "Passphrase of the CA keys (one is required):%n")
  PassphraseOptions passphrase;

  @ArgGroup(exclusive = true, heading = "Separate passphrase for the root key (optional):%n")
  RootPassphraseOptions rootPassphrase;

  @Override
  protected void execute() throws Exception {
    KeyProtection keys = writeProtection(passphrase);
    KeyProtection rootKeys = rootProtection(rootPassphrase, keys);
    CliContext context = context();
    CaDirectory ca = new CaDirectory(caDirectory, keys, context.random());
    if (ca.isInitialized()) {
      throw new OperationFailedException(caDirectory + " already holds a CA; refusing to overwrite it");
    }
    if (keepRootOnline && rootKeyOut != null) {
      throw usageError("--keep-root-online and --root-key-out exclude each other");
    }
    Path rootDirectory = keepRootOnline ? caDirectory : rootKeyOut != null ? rootKeyOut : defaultRootDirectory();
    if (!keepRootOnline && rootDirectory.toAbsolutePath().normalize().equals(caDirectory.toAbsolutePath().normalize())) {
      throw usageError("--root-key-out must be another directory than --ca-dir (or use --keep-root-online)");
    }
    RootKeyDirectory root = new RootKeyDirectory(rootDirectory, rootKeys, context.random());
    if (root.holdsKey()) {
      throw new OperationFailedException(rootDirectory + " already holds a root key; refusing to overwrite it");
    }
    CaHierarchy hierarchy = CaHierarchy.create(trustDomain, algorithm, context.clock().instant(), context.random());
    ca.write(hierarchy, root);

    PrintWriter out = out();
    out.printf("Created a CA for trust domain %s (%s).%n", trustDomain, algorithm);
    out.printf("root:          %s%n", hierarchy.root().getSubjectX500Principal().getName());
    out.printf("  sha256:      %s%n", CertificateFingerprint.of(hierarchy.root()));
    out.printf("  valid until: %s%n", hierarchy.root().getNotAfter().toInstant());
    out.printf("intermediate:  serial %s, valid until %s%n",
        hierarchy.intermediate().certificate().getSerialNumber().toString(16),
        hierarchy.intermediate().certificate().getNotAfter().toInstant());
    out.printf("CA directory:  %s (%s, %s, %s)%n", caDirectory.toAbsolutePath(),
        CaDirectory.BUNDLE, CaDirectory.INTERMEDIATE, CaDirectory.INTERMEDIATE_KEY);
    out.printf("root key:      %s%n", rootDirectory.resolve(RootKeyDirectory.KEY).toAbsolutePath());
    out.printf("CA keys:       %s%n", keys.describe());
    if (rootKeys != keys) {
      out.printf("root key:      %s%n", rootKeys.describe());
    }
    if (keys instanceof KeyProtection.Unencrypted) {
      out.println("warning: the keys are NOT encrypted; use this CA for development only");
    }
    if (keepRootOnline) {
      out.println("warning: the root key is online in the CA directory; use this CA for development only");
    } else {
      out.println("Back up " + rootDirectory.toAbsolutePath() + " and keep it offline; it is needed again only to"
          + " rotate the intermediate (--root-key-dir).");
    }
  }

  /** {@code <ca-dir>-root}, next to the CA directory. */
  private Path defaultRootDirectory() {
    Path absolute = caDirectory.toAbsolutePath().normalize();
    return absolute.resolveSibling(absolute.getFileName() + "-root");
  }
}
