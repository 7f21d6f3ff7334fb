package dev.taskcert.admin;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.function.Function;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The options of a command that receives a try's single-use enrollment token (queueing a try,
 * resuming one): how long it stays redeemable, and the new owner-only file it goes to instead of
 * the terminal.
 */
final class TokenDelivery {
  @Spec(Spec.Target.MIXEE)
  CommandSpec command;

  @Option(names = "--token-ttl", paramLabel = "DURATION",
      description = "how long the token stays redeemable, ISO-8601 (default: the server's, 24 h unless configured)")
  Duration tokenTtl;

  @Option(names = "--token-file", paramLabel = "FILE",
      description = "write the token to this new file, readable by its owner only, instead of printing it")
  Path tokenFile;

  /** Refuses bad options before anything is asked of the server. */
  void check(Function<String, RuntimeException> usageError) throws AdminCommand.Failure {
    if (tokenTtl != null && (tokenTtl.isNegative() || tokenTtl.isZero())) {
      throw usageError.apply("--token-ttl must be positive, got " + AdminCommand.asGiven(command, "--token-ttl"));
    }
    if (tokenFile != null && Files.exists(tokenFile)) {
      throw new AdminCommand.Failure("--token-file " + tokenFile + " already exists; refusing to overwrite a token");
    }
  }

  /** The requested token lifetime in seconds; 0 for the server's default. */
  long ttlSeconds() {
    return tokenTtl == null ? 0 : tokenTtl.toSeconds();
  }

  /** Whether the token goes to a file. */
  boolean toFile() {
    return tokenFile != null;
  }

  /**
   * Writes {@code token} to the file, if one was given, and returns what to show in its place.
   *
   * @param ifLost what the operator must do if the token cannot be written (the server already
   *     acted, so the token is lost)
   */
  String deliver(String token, String ifLost) throws AdminCommand.Failure {
    if (tokenFile == null) {
      return token;
    }
    try {
      Files.createFile(tokenFile, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.writeString(tokenFile, token + "\n", StandardCharsets.US_ASCII);
    } catch (FileAlreadyExistsException e) {
      throw new AdminCommand.Failure("--token-file " + tokenFile + " already exists; " + ifLost);
    } catch (IOException e) {
      throw new AdminCommand.Failure("cannot write --token-file " + tokenFile + " (" + e.getMessage() + "); " + ifLost);
    }
    return "written to " + tokenFile + " (mode 0600)";
  }
}
