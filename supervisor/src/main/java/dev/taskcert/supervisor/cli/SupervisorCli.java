package dev.taskcert.supervisor.cli;

import dev.taskcert.pki.pem.Pem;
import dev.taskcert.pki.pem.PemException;
import dev.taskcert.supervisor.StartedTask;
import dev.taskcert.supervisor.SupervisorConfig;
import dev.taskcert.supervisor.TaskSession;
import dev.taskcert.supervisor.TaskcertException;
import dev.taskcert.supervisor.TerminalState;
import dev.taskcert.supervisor.Variable;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Command line for operators testing a deployment: enroll one task try and exercise the API. */
@Command(
    name = "taskcert-supervisor",
    mixinStandardHelpOptions = true,
    version = "taskcert-supervisor 0.1.0",
    description = "Runs a task try against a taskcert server.",
    subcommands = {SupervisorCli.Run.class})
public final class SupervisorCli implements Runnable {
  @Spec CommandSpec spec;

  public static void main(String[] args) {
    if (System.getProperty("logback.configurationFile") == null) {
      System.setProperty("logback.configurationFile", "taskcert-supervisor-logback.xml");
    }
    System.exit(new CommandLine(new SupervisorCli()).execute(args));
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** Enrolls with a token, starts the try, reads variables, and finishes the try. */
  @Command(
      name = "run",
      mixinStandardHelpOptions = true,
      description = {
        "Enrolls with an enrollment token (a fresh in-memory key pair), starts the task try,",
        "reads each --variable, then finishes the try. Exit code 0 when every read succeeded,",
        "3 when a read was refused, 1 on any other failure."
      })
  static final class Run implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--execution-target", required = true,
        description = "host:port of the mutual-TLS Execution API, e.g. localhost:7443")
    String executionTarget;

    @Option(names = "--enrollment-target", required = true,
        description = "host:port of the enrollment port, e.g. localhost:7444")
    String enrollmentTarget;

    @Option(names = "--trust-bundle", required = true,
        description = "PEM file with the root certificates to trust (the CA's bundle.pem)")
    Path trustBundle;

    @Option(names = "--token", required = true, description = "the task try's enrollment token")
    String token;

    @Option(names = "--variable", description = "a variable key to read (repeatable)")
    List<String> variables = List.of();

    @Option(names = "--finish", defaultValue = "SUCCESS",
        description = "terminal state to finish in: ${COMPLETION-CANDIDATES} (default ${DEFAULT-VALUE})")
    TerminalState finish;

    @Option(names = "--timeout", defaultValue = "PT10S",
        description = "deadline of each call, ISO-8601 (default ${DEFAULT-VALUE})")
    Duration timeout;

    @Override
    public Integer call() throws IOException {
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      SupervisorConfig config;
      try {
        config = new SupervisorConfig(executionTarget, enrollmentTarget,
            Pem.parseCertificates(Files.readString(trustBundle, StandardCharsets.US_ASCII)), timeout);
      } catch (PemException e) {
        err.println("error: " + trustBundle + ": " + e.getMessage());
        return 1;
      }
      int refused = 0;
      try (TaskSession session = TaskSession.open(config, token, new SecureRandom())) {
        out.println("enrolled as " + session.credentials().spiffeId());
        out.println("  certificate serial " + session.credentials().serialHex()
            + ", valid until " + session.credentials().notAfter());
        StartedTask started = session.client().startTask(
            InetAddress.getLocalHost().getHostName(), (int) ProcessHandle.current().pid(),
            System.getProperty("user.name"));
        out.println("started " + started.dagId() + " / " + started.runId() + ", try " + started.tryNumber());
        for (String key : variables) {
          try {
            Variable variable = session.client().getVariable(key);
            out.println("  variable " + key + " = " + variable.value()
                + variable.team().map(team -> "  (team " + team + ")").orElse("  (global)"));
          } catch (TaskcertException.PermissionDenied | TaskcertException.NotFound e) {
            refused++;
            out.println("  variable " + key + " refused: " + e.getMessage());
          }
        }
        session.client().finishTask(finish);
        out.println("finished " + finish);
      } catch (TaskcertException e) {
        err.println("error: " + e.getMessage());
        return 1;
      }
      out.flush();
      return refused == 0 ? 0 : 3;
    }
  }
}
