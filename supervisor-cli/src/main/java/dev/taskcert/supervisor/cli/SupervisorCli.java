package dev.taskcert.supervisor.cli;

import dev.taskcert.pki.pem.Pem;
import dev.taskcert.pki.pem.PemException;
import dev.taskcert.pki.crypto.SignatureProvider;
import dev.taskcert.supervisor.SupervisorConfig;
import dev.taskcert.supervisor.TaskSession;
import dev.taskcert.supervisor.TaskcertException;
import dev.taskcert.supervisor.client.StartedTask;
import dev.taskcert.supervisor.client.TerminalState;
import dev.taskcert.supervisor.client.Variable;
import dev.taskcert.supervisor.client.XCom;
import dev.taskcert.supervisor.client.XComLocation;
import dev.taskcert.supervisor.heartbeat.HeartbeatLoop;
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
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Command line for operators testing a deployment: enroll one task try and run a small task script. */
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

  /** Where the enrollment token comes from: the command line or a file (safer: not visible in ps). */
  static final class TokenSource {
    @Option(names = "--token", required = true, description = "the try's enrollment token (visible to other local users in the process list; prefer --token-file)")
    String token;

    @Option(names = "--token-file", required = true, description = "file holding the enrollment token, or - for standard input")
    String tokenFile;

    String read() throws IOException {
      if (token != null) {
        return token.strip();
      }
      if ("-".equals(tokenFile)) {
        return new String(System.in.readAllBytes(), StandardCharsets.US_ASCII).strip();
      }
      return Files.readString(Path.of(tokenFile), StandardCharsets.US_ASCII).strip();
    }
  }

  /** Enrolls with a token, starts the try, runs the task script, and finishes the try. */
  @Command(
      name = "run",
      mixinStandardHelpOptions = true,
      description = {
        "Enrolls with an enrollment token (a fresh in-memory key pair), starts the task try and",
        "heartbeats while it runs, then in order: reads each --variable, pushes each --push-xcom,",
        "pulls each --pull-xcom, and finishes the try in --finish. The certificate renews itself",
        "before it expires. Exit code 0 when every step succeeded, 3 when a read was refused",
        "(PERMISSION_DENIED), 1 on any other failure, 2 on bad usage."
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

    @ArgGroup(exclusive = true, multiplicity = "1")
    TokenSource token;

    @Option(names = "--variable", paramLabel = "KEY", description = "a variable to read (repeatable)")
    List<String> variables = List.of();

    @Option(names = "--push-xcom", paramLabel = "KEY=JSON", description = "an XCom of this task to store (repeatable)")
    List<String> pushes = List.of();

    @Option(names = "--pull-xcom", paramLabel = "TASK:KEY",
        description = "an XCom of another task of this dag run to read (repeatable)")
    List<String> pulls = List.of();

    @Option(names = "--finish", defaultValue = "SUCCESS",
        description = "terminal state to finish in: ${COMPLETION-CANDIDATES} (default ${DEFAULT-VALUE})")
    TerminalState finish;

    @Option(names = "--timeout", defaultValue = "PT10S",
        description = "deadline of each call, ISO-8601 (default ${DEFAULT-VALUE})")
    Duration timeout;

    @Option(names = "--heartbeat-interval", defaultValue = "PT5S",
        description = "how often to heartbeat, ISO-8601 (default ${DEFAULT-VALUE})")
    Duration heartbeatInterval;

    @Option(names = "--crypto-provider", paramLabel = "PROVIDER",
        defaultValue = "${sys:" + SupervisorConfig.CRYPTO_PROVIDER_PROPERTY + ":-native}",
        description = "what generates the key, signs the CSR and checks the server's chain: native (falls back"
            + " to jdk where it cannot load) or jdk, pure Java (default ${DEFAULT-VALUE})")
    String cryptoProvider;

    @Override
    public Integer call() throws IOException {
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      SignatureProvider.Choice crypto;
      try {
        crypto = SignatureProvider.Choice.parse(cryptoProvider);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.ParameterException(spec.commandLine(), "--crypto-provider " + e.getMessage());
      }
      SupervisorConfig config;
      String enrollmentToken;
      try {
        config = new SupervisorConfig(executionTarget, enrollmentTarget,
            Pem.parseCertificates(Files.readString(trustBundle, StandardCharsets.US_ASCII)), timeout,
            SupervisorConfig.RenewalPolicy.DEFAULT, SignatureProvider.select(crypto));
        enrollmentToken = token.read();
      } catch (PemException | IOException e) {
        err.println("error: " + e.getMessage());
        return 1;
      }
      for (String push : pushes) {
        if (push.indexOf('=') <= 0) {
          throw new CommandLine.ParameterException(spec.commandLine(), "--push-xcom needs KEY=JSON, got " + push);
        }
      }
      for (String pull : pulls) {
        if (pull.indexOf(':') <= 0) {
          throw new CommandLine.ParameterException(spec.commandLine(), "--pull-xcom needs TASK:KEY, got " + pull);
        }
      }
      String hostname = InetAddress.getLocalHost().getHostName();
      int pid = (int) ProcessHandle.current().pid();
      int refused;
      try (TaskSession session = TaskSession.open(config, enrollmentToken, new SecureRandom())) {
        out.println("enrolled as " + session.credentials().spiffeId());
        out.println("  certificate serial " + session.credentials().serialHex()
            + ", valid until " + session.credentials().notAfter());
        StartedTask started = session.client().startTask(hostname, pid, System.getProperty("user.name"));
        out.println("started " + started.dagId() + " / " + started.runId() + ", try " + started.tryNumber());
        try (HeartbeatLoop heartbeats = HeartbeatLoop.start(session.client(), hostname, pid, heartbeatInterval,
            reason -> err.println("error: the server stopped this try: " + reason.getMessage()))) {
          try {
            refused = runScript(session, out);
          } catch (TaskcertException e) {
            finishAfterFailure(session, err);
            throw e;
          }
          if (heartbeats.tryEnded()) {
            return 1;
          }
        }
        session.client().finishTask(finish);
        out.println("finished " + finish);
      } catch (TaskcertException e) {
        err.println("error: " + e.getMessage());
        return 1;
      } finally {
        out.flush();
      }
      return refused == 0 ? 0 : 3;
    }

    /** Reads, pushes and pulls as asked; returns how many reads were refused. */
    private int runScript(TaskSession session, PrintWriter out) {
      int refused = 0;
      for (String key : variables) {
        try {
          Variable variable = session.client().getVariable(key);
          out.println("  variable " + key + " = " + variable.value()
              + variable.team().map(team -> "  (team " + team + ")").orElse("  (global)"));
        } catch (TaskcertException.PermissionDenied e) {
          refused++;
          out.println("  variable " + key + " refused: " + e.getMessage());
        }
      }
      for (String push : pushes) {
        int equals = push.indexOf('=');
        session.client().setXCom(push.substring(0, equals), push.substring(equals + 1));
        out.println("  pushed XCom " + push.substring(0, equals));
      }
      for (String pull : pulls) {
        int colon = pull.indexOf(':');
        try {
          XCom xcom = session.client().getXCom(XComLocation.inOwnRun(pull.substring(0, colon), pull.substring(colon + 1)));
          out.println("  pulled XCom " + pull + " = " + xcom.valueJson());
        } catch (TaskcertException.PermissionDenied e) {
          refused++;
          out.println("  XCom " + pull + " refused: " + e.getMessage());
        }
      }
      return refused;
    }

    /** A step failed: end the try as FAILED so it does not stay RUNNING (best effort). */
    private static void finishAfterFailure(TaskSession session, PrintWriter err) {
      try {
        session.client().finishTask(TerminalState.FAILED);
        err.println("finished FAILED after the error below");
      } catch (TaskcertException e) {
        err.println("could not finish the try as FAILED: " + e.getMessage());
      }
    }
  }
}
