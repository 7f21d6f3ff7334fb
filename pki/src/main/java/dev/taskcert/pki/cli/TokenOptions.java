package dev.taskcert.pki.cli;

import dev.taskcert.pki.ca.CaLoadException;
import dev.taskcert.pki.ca.Pkcs11Token;
import dev.taskcert.pki.ca.TokenPin;
import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Option;

/** The PKCS#11 token that holds (or is to hold) the intermediate's key, and where its PIN comes from. */
final class TokenOptions {
  @Option(
      names = "--pkcs11-config",
      required = true,
      paramLabel = "FILE",
      description = "SunPKCS11 configuration of the token holding the intermediate's key (name, library, slot or slotListIndex)")
  Path config;

  @ArgGroup(exclusive = true, multiplicity = "1")
  Pin pin;

  /** Where the token's user PIN comes from; exactly one. */
  static final class Pin {
    @Option(
        names = "--pkcs11-pin-file",
        required = true,
        paramLabel = "FILE",
        description = "read the token's user PIN from FILE: one line, not readable by group or others")
    Path file;

    @Option(
        names = "--pkcs11-pin-env",
        required = true,
        paramLabel = "NAME",
        description = "read the token's user PIN from environment variable NAME")
    String environmentVariable;
  }

  /** Loads the token's library and logs in. */
  Pkcs11Token open(CliContext context) throws IOException, CaLoadException {
    TokenPin tokenPin = pin.file != null
        ? TokenPin.fromFile(pin.file)
        : TokenPin.fromEnv(pin.environmentVariable, context.environment());
    return Pkcs11Token.open(config, tokenPin);
  }
}
