package dev.taskcert.pki.cli;

import dev.taskcert.pki.ca.CaDirectory;
import dev.taskcert.pki.ca.CaHierarchy;
import dev.taskcert.pki.ca.CertificateFingerprint;
import dev.taskcert.pki.ca.KeyAlgorithm;
import dev.taskcert.pki.ca.IntermediateCa;
import dev.taskcert.pki.ca.KeyProtection;
import dev.taskcert.pki.ca.Pkcs11Token;
import dev.taskcert.pki.ca.RootCa;
import dev.taskcert.pki.ca.RootKeyDirectory;
import dev.taskcert.pki.ca.TokenIntermediates;
import dev.taskcert.pki.identity.TrustDomain;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
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
      "Writes bundle.pem (the root), intermediate.pem and intermediate-key.pem to the CA directory. The root's certificate and key (root.pem, root-key.pem) go to a separate directory that you then take offline: --root-key-out, by default <ca-dir>-root next to the CA directory. --keep-root-online keeps them in the CA directory instead (development only).",
      "",
      "With --pkcs11-config the intermediate's key is generated inside a PKCS#11 token (sensitive, not extractable) and stored there under --key-label; the CA directory then holds intermediate-key.pkcs11, naming that label, instead of intermediate-key.pem. The passphrase options still protect the root key."
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

  @ArgGroup(exclusive = false, heading = "Intermediate key in a PKCS#11 token (optional):%n")
  TokenKeyOptions tokenKey;

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
    CaHierarchy hierarchy = tokenKey == null
        ? CaHierarchy.create(trustDomain, algorithm, context.clock().instant(), context.random())
        : createWithTokenKey(tokenKey.token.open(context), context);
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
        CaDirectory.BUNDLE, CaDirectory.INTERMEDIATE,
        tokenKey == null ? CaDirectory.INTERMEDIATE_KEY : CaDirectory.INTERMEDIATE_KEY_REFERENCE);
    if (tokenKey != null) {
      out.printf("intermediate key: %s (generated there, not extractable)%n",
          hierarchy.intermediate().keySource().describe());
    }
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

  /** A software root (written as the passphrase options say) over an intermediate whose key is made in the token. */
  private CaHierarchy createWithTokenKey(Pkcs11Token token, CliContext context) throws Exception {
    Instant now = context.clock().instant();
    RootCa rootCa = CaHierarchy.createRoot(trustDomain, algorithm, now, context.random());
    IntermediateCa intermediate = TokenIntermediates.create(
        token, tokenKey.label, trustDomain, rootCa, algorithm, now, context.random());
    return new CaHierarchy(rootCa.certificate(), rootCa.privateKey(), intermediate);
  }
}
