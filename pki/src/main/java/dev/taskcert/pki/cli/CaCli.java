package dev.taskcert.pki.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.UnmatchedArgumentException;

/** The {@code taskcert-ca} operator command line: runs the CA's lifecycle from a terminal. */
@Command(
    name = "taskcert-ca",
    mixinStandardHelpOptions = true,
    version = CaCli.VERSION,
    description = {
      "Operates the taskcert certificate authority.",
      "",
      "Creates the CA, issues admin and operator certificates, inspects certificates, maintains the trust bundle, rotates the intermediate and the root, distrusts a compromised intermediate, and writes certificate revocation lists. See docs/operations.md."
    },
    exitCodeListHeading = "%nExit status:%n",
    exitCodeList = {
      "0:success",
      "1:the operation failed; the reason is on stderr after \"error: \"",
      "2:usage error: unknown command or option, missing or invalid value"
    },
    subcommands = {
      InitCommand.class,
      IssueCommand.class,
      InspectCommand.class,
      BundleCommand.class,
      RotateIntermediateCommand.class,
      DistrustIntermediateCommand.class,
      RotateRootCommand.class,
      CrlCommand.class
    })
public final class CaCli implements Callable<Integer> {
  /** What {@code --version} prints. */
  static final String VERSION = "taskcert-ca 0.1.0";

  @Spec CommandSpec spec;

  private final CliContext context;

  /** The CLI as run from a terminal: real environment, clock and randomness. */
  public CaCli() {
    this(CliContext.system());
  }

  public CaCli(CliContext context) {
    this.context = context;
  }

  CliContext context() {
    return context;
  }

  public static void main(String[] args) {
    System.exit(commandLine(CliContext.system()).execute(args));
  }

  /**
   * The command line with its conventions: a usage error is one {@code error:} line that ends with
   * where to read more, and exit status 2; the full usage is only for {@code --help}.
   */
  public static CommandLine commandLine(CliContext context) {
    return new CommandLine(new CaCli(context)).setParameterExceptionHandler((ParameterException e, String[] args) -> {
      CommandLine command = e.getCommandLine();
      String suggestion = e instanceof UnmatchedArgumentException unmatched && !unmatched.getSuggestions().isEmpty()
          ? "; did you mean " + String.join(" or ", unmatched.getSuggestions()) + "?" : "";
      command.getErr().println("error: " + e.getMessage() + suggestion + " (see "
          + command.getCommandSpec().qualifiedName() + " --help)");
      command.getErr().flush();
      return 2;
    });
  }

  @Override
  public Integer call() {
    throw new ParameterException(spec.commandLine(), "a command is required");
  }
}
