package dev.taskcert.pki.cli;

import dev.taskcert.pki.ca.CaDirectory;
import dev.taskcert.pki.ca.CaFiles;
import dev.taskcert.pki.ca.CaHierarchy;
import dev.taskcert.pki.ca.IntermediateCa;
import dev.taskcert.pki.ca.KeyAlgorithm;
import dev.taskcert.pki.identity.AdminIdentity;
import dev.taskcert.pki.identity.SpiffeIdCodec;
import dev.taskcert.pki.issuance.CertificateIssuer;
import dev.taskcert.pki.issuance.IssuancePolicy;
import dev.taskcert.pki.issuance.IssuedCertificate;
import dev.taskcert.pki.pem.Pem;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code issue}: an admin or operator client certificate with a freshly generated key. */
@Command(
    name = "issue",
    mixinStandardHelpOptions = true,
    version = CaCli.VERSION,
    description = {
      "Issues an admin or operator client certificate.",
      "",
      "The certificate names spiffe://<trust domain>/admin/<name> and is signed by the online intermediate. The key pair is generated here. Writes <name>.pem (the certificate followed by the intermediate) and <name>-key.pem (unencrypted, mode 0600, with a warning on stderr) to the output directory."
    })
final class IssueCommand extends CaSubcommand {
  @Option(names = "--ca-dir", required = true, paramLabel = "DIR", description = "the online CA directory")
  Path caDirectory;

  @Option(
      names = "--name",
      required = true,
      paramLabel = "NAME",
      converter = Converters.AdminNames.class,
      description = "admin name, 1 to 64 characters of [a-z0-9_-], e.g. ops-alice or scheduler")
  AdminIdentity name;

  @Option(
      names = "--lifetime",
      paramLabel = "DURATION",
      defaultValue = "P7D",
      description = "validity, ISO-8601 (e.g. PT8H, P7D), at most P30D (default ${DEFAULT-VALUE})")
  Duration lifetime;

  @Option(
      names = "--out",
      required = true,
      paramLabel = "DIR",
      description = "directory to write the certificate chain and key to (created with mode 0700 if missing)")
  Path outputDirectory;

  @Option(
      names = "--algorithm",
      paramLabel = "ALGORITHM",
      defaultValue = "EC_P256",
      converter = Converters.KeyAlgorithms.class,
      description = "type of the new key: ${COMPLETION-CANDIDATES} (default ${DEFAULT-VALUE})")
  KeyAlgorithm algorithm;

  @ArgGroup(exclusive = true, heading = "Passphrase of the CA keys (none: unencrypted keys expected):%n")
  PassphraseOptions passphrase;

  @ArgGroup(exclusive = false, heading = "PKCS#11 token holding the intermediate's key (when the CA directory has intermediate-key.pkcs11):%n")
  TokenOptions token;

  @Override
  protected void execute() throws Exception {
    if (lifetime.isNegative() || lifetime.isZero() || lifetime.compareTo(IssuancePolicy.MAX_ADMIN_LIFETIME) > 0) {
      throw usageError("--lifetime must be positive and at most P" + IssuancePolicy.MAX_ADMIN_LIFETIME.toDays()
          + "D (" + IssuancePolicy.MAX_ADMIN_LIFETIME.toDays() + " days), got " + asGiven("--lifetime"));
    }
    Path chainFile = outputDirectory.resolve(name.name() + ".pem");
    Path keyFile = outputDirectory.resolve(name.name() + "-key.pem");
    for (Path file : new Path[] {chainFile, keyFile}) {
      if (Files.exists(file)) {
        throw new OperationFailedException(file + " already exists; refusing to overwrite it");
      }
    }
    CliContext context = context();
    IntermediateCa ca = new CaDirectory(caDirectory, readProtection(passphrase), context.random(),
        token == null ? Optional.empty() : Optional.of(token.open(context))).loadIntermediate();
    SpiffeIdCodec codec = new SpiffeIdCodec(CaHierarchy.trustDomainOf(ca.certificate()));
    KeyPair keys = algorithm.generate(context.random());
    Instant now = context.clock().instant();
    IssuedCertificate issued =
        new CertificateIssuer(ca, codec, IssuancePolicy.DEFAULT, context.random())
            .issueAdmin(keys.getPublic(), name, now, lifetime);

    CaFiles.createPrivateDirectories(outputDirectory);
    CaFiles.writeSecret(keyFile, Pem.privateKey(keys.getPrivate()));
    CaFiles.writePublic(chainFile, Pem.certificates(issued.chain()));

    PrintWriter out = out();
    out.printf("spiffe id:   %s%n", issued.spiffeId());
    out.printf("serial:      %s%n", issued.serialHex());
    out.printf("valid:       %s to %s%s%n", issued.notBefore(), issued.notAfter(),
        issued.notAfter().isBefore(now.plus(lifetime).minusSeconds(1)) ? " (cut short by the intermediate's expiry)" : "");
    out.printf("certificate: %s%n", chainFile);
    out.printf("key:         %s (mode 0600, unencrypted)%n", keyFile);
    PrintWriter err = spec.commandLine().getErr();
    err.printf("warning: %s is NOT encrypted (mode 0600 only): anyone who reads it is %s until %s;"
        + " keep it on the operator's machine, never in a shared or backed-up location%n",
        keyFile, issued.spiffeId(), issued.notAfter());
    err.flush();
  }
}
