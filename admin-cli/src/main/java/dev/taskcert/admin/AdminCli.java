package dev.taskcert.admin;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * The {@code taskcert-admin} command line: every Admin API call, authenticated with an admin
 * certificate. The connection options may come from the environment, so that scripts set them once.
 */
@Command(
    name = "taskcert-admin",
    mixinStandardHelpOptions = true,
    version = "taskcert-admin 0.1.0",
    description = {
      "Operates a taskcert server through its Admin API with an admin certificate.",
      "Teams, DAG bundles, DAGs and their declared resources, dag runs, task tries and their enrollment tokens,"
          + " variables, connections, revocation, the audit log, assets and human-in-the-loop answers; taskcert-ca"
          + " issue writes the certificate. Output is a table or key: value lines; --json prints the server's answer"
          + " (or, for a call that answers nothing, what it stored) as JSON."
    },
    exitCodeListHeading = "%nExit status:%n",
    exitCodeList = {
      "0:success",
      "1:the server refused or could not be reached, or a file could not be read; one line on stderr after \"error: \" says why (for a connection: the target and the likely cause)",
      "2:usage error: unknown command or option, missing or invalid value"
    },
    subcommands = {
      TeamCommand.class, BundleCommand.class, DagCommand.class, RunCommand.class, TryCommand.class,
      VariableCommand.class, ConnectionCommand.class, RevokeCommand.class, AuditCommand.class, AssetCommand.class,
      HitlCommand.class
    })
public final class AdminCli implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--target", scope = ScopeType.INHERIT, paramLabel = "HOST:PORT",
      defaultValue = "${env:TASKCERT_ADMIN_TARGET}",
      description = "the server's mutual-TLS port (env TASKCERT_ADMIN_TARGET)")
  String target;

  @Option(names = "--trust-bundle", scope = ScopeType.INHERIT, paramLabel = "FILE",
      defaultValue = "${env:TASKCERT_ADMIN_TRUST_BUNDLE}",
      description = "PEM file with the roots to trust, the CA's bundle.pem (env TASKCERT_ADMIN_TRUST_BUNDLE)")
  Path trustBundle;

  @Option(names = "--cert", scope = ScopeType.INHERIT, paramLabel = "FILE",
      defaultValue = "${env:TASKCERT_ADMIN_CERT}",
      description = "PEM file with the admin certificate chain (env TASKCERT_ADMIN_CERT)")
  Path certificate;

  @Option(names = "--key", scope = ScopeType.INHERIT, paramLabel = "FILE",
      defaultValue = "${env:TASKCERT_ADMIN_KEY}",
      description = "PEM file with the admin private key (env TASKCERT_ADMIN_KEY)")
  Path key;

  @Option(names = "--json", scope = ScopeType.INHERIT,
      description = "print the server's answer as JSON (one object per line) instead of a table")
  boolean json;

  @Option(names = "--timeout", scope = ScopeType.INHERIT, paramLabel = "SECONDS", defaultValue = "30",
      description = "give up on a call after this long (default ${DEFAULT-VALUE})")
  int timeoutSeconds;

  @Option(names = "--verbose", scope = ScopeType.INHERIT,
      description = "on a failure, also print the exception with its causes, and let gRPC log its warnings")
  boolean verbose;

  public static void main(String[] args) {
    if (System.getProperty("logback.configurationFile") == null) {
      System.setProperty("logback.configurationFile", "taskcert-admin-logback.xml");
    }
    System.exit(commandLine().execute(args));
  }

  /** The command line with its conventions: a usage error is one {@code error:} line and exit status 2. */
  public static CommandLine commandLine() {
    return new CommandLine(new AdminCli()).setParameterExceptionHandler((ParameterException e, String[] args) -> {
      String suggestion = e instanceof UnmatchedArgumentException unmatched && !unmatched.getSuggestions().isEmpty()
          ? "; did you mean " + String.join(" or ", unmatched.getSuggestions()) + "?" : "";
      e.getCommandLine().getErr().println("error: " + e.getMessage() + suggestion + " (see "
          + e.getCommandLine().getCommandSpec().qualifiedName() + " --help)");
      return 2;
    });
  }

  @Override
  public Integer call() {
    throw new ParameterException(spec.commandLine(), "a command is required");
  }
}
