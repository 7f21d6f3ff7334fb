package dev.taskcert.pki.cli;

import dev.taskcert.pki.ca.CaLoadException;
import dev.taskcert.pki.ca.KeyProtection;
import dev.taskcert.pki.ca.Passphrase;
import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Where the passphrase that encrypts the CA's keys comes from; one of the three options. */
final class PassphraseOptions {
  @Option(
      names = "--passphrase-env",
      paramLabel = "NAME",
      description = "read the passphrase that encrypts the CA keys from environment variable NAME")
  String environmentVariable;

  @Option(
      names = "--passphrase-file",
      paramLabel = "FILE",
      description = "read the passphrase from FILE: one line, not readable by group or others")
  Path file;

  @Option(
      names = "--no-passphrase",
      description = "keys are stored unencrypted: for a development CA only")
  boolean none;

  KeyProtection protection(CliContext context) throws IOException, CaLoadException {
    if (environmentVariable != null) {
      return new KeyProtection.Encrypted(
          Passphrase.fromEnv(environmentVariable, context.environment()), context.kdfIterations());
    }
    if (file != null) {
      return new KeyProtection.Encrypted(Passphrase.fromFile(file), context.kdfIterations());
    }
    return KeyProtection.none();
  }
}
