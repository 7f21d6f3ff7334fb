package dev.taskcert.pki.cli;

import dev.taskcert.pki.ca.CaDirectory;
import dev.taskcert.pki.ca.CaHierarchy;
import dev.taskcert.pki.ca.CertificateFingerprint;
import dev.taskcert.pki.ca.IntermediateCa;
import dev.taskcert.pki.ca.KeyAlgorithm;
import dev.taskcert.pki.ca.KeyProtection;
import dev.taskcert.pki.ca.RootCa;
import dev.taskcert.pki.ca.RootKeyDirectory;
import dev.taskcert.pki.ca.TokenIntermediates;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.Optional;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code rotate-intermediate}: a new online intermediate, signed by the root. */
@Command(
    name = "rotate-intermediate",
    mixinStandardHelpOptions = true,
    version = CaCli.VERSION,
    description = {
      "Replaces the online intermediate with a new one.",
      "",
      "The new intermediate is signed by the root in --root-key-dir. The old intermediate's certificate is kept as intermediate-<serial>.pem, and certificates it issued stay valid while their root is in the bundle. The passphrase must decrypt the current intermediate key (unless --new-passphrase). Running servers pick the new intermediate up within ca.reload_interval (30 s by default), without a restart.",
      "",
      "With --pkcs11-config the new key is generated inside a PKCS#11 token under --key-label (a label not yet in use) and the CA directory names it in intermediate-key.pkcs11 instead of holding intermediate-key.pem; without it the new key is a file again. A previous key left in a token stays there until you delete it."
    })
final class RotateIntermediateCommand extends CaSubcommand {
  @Option(names = "--ca-dir", required = true, paramLabel = "DIR", description = "the online CA directory")
  Path caDirectory;

  @Option(
      names = "--root-key-dir",
      paramLabel = "DIR",
      description = "directory holding root.pem and root-key.pem of the signing root (default: the CA directory)")
  Path rootKeyDirectory;

  @Option(
      names = "--algorithm",
      paramLabel = "ALGORITHM",
      converter = Converters.KeyAlgorithms.class,
      description = "key type of the new intermediate: ${COMPLETION-CANDIDATES} (default: that of the current one)")
  KeyAlgorithm algorithm;

  @Option(
      names = "--new-passphrase",
      description = "encrypt the new key with the given passphrase without first checking that it decrypts the current one")
  boolean newPassphrase;

  @ArgGroup(exclusive = true, heading = "Passphrase of the CA keys (one is required):%n")
  PassphraseOptions passphrase;

  @ArgGroup(exclusive = true, heading = "Separate passphrase for the root key (optional):%n")
  RootPassphraseOptions rootPassphrase;

  @ArgGroup(exclusive = false, heading = "New intermediate key in a PKCS#11 token (optional):%n")
  TokenKeyOptions tokenKey;

  @Override
  protected void execute() throws Exception {
    KeyProtection keys = writeProtection(passphrase);
    KeyProtection rootKeys = rootProtection(rootPassphrase, keys);
    CliContext context = context();
    CaDirectory ca = new CaDirectory(caDirectory, keys, context.random());
    if (!ca.isInitialized()) {
      throw new OperationFailedException(caDirectory + " holds no CA; run init first");
    }
    if (!newPassphrase && tokenKey == null && !ca.holdsTokenReference()) {
      // Whoever loads this CA next must be able to decrypt the new key with what they have now.
      ca.intermediateKeyFile().read();
    }
    Path rootPath = rootKeyDirectory != null ? rootKeyDirectory : caDirectory;
    RootKeyDirectory rootDirectory = new RootKeyDirectory(rootPath, rootKeys, context.random());
    if (!rootDirectory.holdsKey()) {
      throw new OperationFailedException(
          "no root key in " + rootPath + "; pass --root-key-dir with the directory holding "
              + RootKeyDirectory.CERTIFICATE + " and " + RootKeyDirectory.KEY);
    }
    RootCa root = rootDirectory.load();
    X509Certificate current = ca.loadIntermediateCertificate();
    KeyAlgorithm type = algorithm != null ? algorithm : KeyAlgorithm.of(current.getPublicKey());
    IntermediateCa next = tokenKey == null
        ? CaHierarchy.createIntermediate(
            CaHierarchy.trustDomainOf(root.certificate()), root.certificate(), root.privateKey(), type,
            context.clock().instant(), context.random())
        : TokenIntermediates.create(tokenKey.token.open(context), tokenKey.label,
            CaHierarchy.trustDomainOf(root.certificate()), root, type, context.clock().instant(), context.random());
    Optional<Path> archived = ca.installIntermediate(next);

    PrintWriter out = out();
    out.printf("new intermediate: serial %s (%s), valid until %s%n",
        next.certificate().getSerialNumber().toString(16), type, next.certificate().getNotAfter().toInstant());
    out.printf("key:              %s%n", next.keySource().describe());
    out.printf("signed by root:   %s (sha256 %s)%n",
        root.certificate().getSubjectX500Principal().getName(), CertificateFingerprint.of(root.certificate()));
    archived.ifPresent(file -> out.printf("previous one kept: %s%n", file));
    out.println("Running servers switch to the new intermediate within their ca.reload_interval; no restart is needed. Take the root key offline again.");
  }
}
