package dev.taskcert.pki.cli;

import dev.taskcert.pki.ca.CaLoadException;
import dev.taskcert.pki.ca.KeyProtection;
import dev.taskcert.pki.ca.Passphrase;
import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * A separate passphrase for the root key, so that whoever holds the online passphrase cannot
 * decrypt a copy of the offline root key. Without these options the root key uses the other one.
 */
final class RootPassphraseOptions {
  @Option(
      names = "--root-passphrase-env",
      paramLabel = "NAME",
      description = "read the root key's passphrase from environment variable NAME")
  String environmentVariable;

  @Option(
      names = "--root-passphrase-file",
      paramLabel = "FILE",
      description = "read the root key's passphrase from FILE: one line, not readable by group or others")
  Path file;

  KeyProtection protection(CliContext context) throws IOException, CaLoadException {
    Passphrase passphrase = environmentVariable != null
        ? Passphrase.fromEnv(environmentVariable, context.environment())
        : Passphrase.fromFile(file);
    return new KeyProtection.Encrypted(passphrase, context.kdfIterations());
  }
}
