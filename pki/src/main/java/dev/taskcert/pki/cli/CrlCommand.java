package dev.taskcert.pki.cli;

import dev.taskcert.pki.ca.CaDirectory;
import dev.taskcert.pki.ca.CaFiles;
import dev.taskcert.pki.ca.IntermediateCa;
import dev.taskcert.pki.pem.Pem;
import dev.taskcert.pki.revocation.CrlBuilder;
import dev.taskcert.pki.revocation.RevocationReason;
import dev.taskcert.pki.revocation.RevokedCertificate;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509CRL;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code crl}: a signed CRL for serials given on the command line or in a file. */
@Command(
    name = "crl",
    mixinStandardHelpOptions = true,
    version = CaCli.VERSION,
    description = {
      "Writes a signed certificate revocation list.",
      "",
      "The CRL is signed by the online intermediate and lists the given serial numbers (none: an empty CRL saying nothing is revoked). Every entry gets the same revocation time and reason."
    })
final class CrlCommand extends CaSubcommand {
  @Option(names = "--ca-dir", required = true, paramLabel = "DIR", description = "the online CA directory")
  Path caDirectory;

  @Option(
      names = "--serial",
      paramLabel = "HEX",
      converter = Converters.Serials.class,
      description = "serial number to revoke, in hex (colons allowed); repeatable")
  List<BigInteger> serials = new ArrayList<>();

  @Option(
      names = "--serials-file",
      paramLabel = "FILE",
      description = "file with one hex serial number per line; blank lines and lines starting with # are ignored")
  Path serialsFile;

  @Option(
      names = "--reason",
      paramLabel = "REASON",
      defaultValue = "UNSPECIFIED",
      converter = Converters.RevocationReasons.class,
      description = "revocation reason: ${COMPLETION-CANDIDATES} (default ${DEFAULT-VALUE})")
  RevocationReason reason;

  @Option(
      names = "--revoked-at",
      paramLabel = "INSTANT",
      description = "when the certificates were revoked, ISO-8601 (default: now)")
  Instant revokedAt;

  @Option(
      names = "--next-update",
      paramLabel = "DURATION",
      defaultValue = "P7D",
      description = "how long until the next CRL is due, ISO-8601 (default ${DEFAULT-VALUE})")
  Duration nextUpdate;

  @Option(
      names = "--crl-number",
      paramLabel = "N",
      description = "CRL number, increasing with every CRL (default: the current time in seconds since 1970)")
  BigInteger crlNumber;

  @Option(names = "--out", required = true, paramLabel = "FILE", description = "where to write the CRL")
  Path output;

  @Option(names = "--der", description = "write DER instead of PEM")
  boolean der;

  @ArgGroup(exclusive = true, heading = "Passphrase of the CA keys (none: unencrypted keys expected):%n")
  PassphraseOptions passphrase;

  @ArgGroup(exclusive = false, heading = "PKCS#11 token holding the intermediate's key (when the CA directory has intermediate-key.pkcs11):%n")
  TokenOptions token;

  @Override
  protected void execute() throws Exception {
    if (nextUpdate.isNegative() || nextUpdate.isZero()) {
      throw usageError("--next-update must be positive, got " + asGiven("--next-update"));
    }
    Set<BigInteger> all = new LinkedHashSet<>(serials);
    if (serialsFile != null) {
      all.addAll(readSerials(serialsFile));
    }
    CliContext context = context();
    Instant now = context.clock().instant();
    Instant revoked = revokedAt != null ? revokedAt : now;
    List<RevokedCertificate> entries = new ArrayList<>();
    for (BigInteger serial : all) {
      entries.add(new RevokedCertificate(serial, revoked, reason));
    }
    IntermediateCa ca = new CaDirectory(caDirectory, readProtection(passphrase), context.random(),
        token == null ? Optional.empty() : Optional.of(token.open(context))).loadIntermediate();
    BigInteger number = crlNumber != null ? crlNumber : BigInteger.valueOf(now.getEpochSecond());
    X509CRL crl = new CrlBuilder(ca).build(entries, number, now, now.plus(nextUpdate));
    if (der) {
      CaFiles.writePublic(output, crl.getEncoded());
    } else {
      CaFiles.writePublic(output, Pem.crl(crl));
    }
    out().printf("wrote CRL number %s with %d entr%s to %s%n", number, entries.size(),
        entries.size() == 1 ? "y" : "ies", output);
    out().printf("signed by intermediate serial %s; next update due %s%n",
        ca.certificate().getSerialNumber().toString(16), crl.getNextUpdate().toInstant());
  }

  private static List<BigInteger> readSerials(Path file) throws IOException, OperationFailedException {
    List<BigInteger> serials = new ArrayList<>();
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      try {
        serials.add(SerialNumbers.parse(line));
      } catch (IllegalArgumentException e) {
        throw new OperationFailedException(file + " line " + (i + 1) + ": " + e.getMessage());
      }
    }
    return serials;
  }
}
