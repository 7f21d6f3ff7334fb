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
import dev.taskcert.supervisor.channel.ConnectionFailures;
import dev.taskcert.supervisor.channel.LibraryLogging;
import dev.taskcert.supervisor.heartbeat.HeartbeatLoop;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.UnmatchedArgumentException;

/** Command line for operators testing a deployment: enroll one task try and run a small task script. */
@Command(
    name = "taskcert-supervisor",
    mixinStandardHelpOptions = true,
    version = "taskcert-supervisor 0.1.0",
    description = "Runs a task try against a taskcert server.",
    exitCodeListHeading = "%nExit status:%n",
    exitCodeList = {
      "0:success",
      "1:the operation failed; one line on stderr after \"error: \" says why",
      "2:usage error: unknown command or option, missing or invalid value",
      "3:run: a read was refused (PERMISSION_DENIED)"
    },
    subcommands = {SupervisorCli.Run.class})
public final class SupervisorCli implements Runnable {
  @Spec CommandSpec spec;

  public static void main(String[] args) {
    if (System.getProperty("logback.configurationFile") == null) {
      System.setProperty("logback.configurationFile", "taskcert-supervisor-logback.xml");
    }
    System.exit(commandLine().execute(args));
  }

  /** The command line with its conventions: a usage error is one {@code error:} line and exit status 2. */
  public static CommandLine commandLine() {
    return new CommandLine(new SupervisorCli()).setParameterExceptionHandler((ParameterException e, String[] args) -> {
      String suggestion = e instanceof UnmatchedArgumentException unmatched && !unmatched.getSuggestions().isEmpty()
          ? "; did you mean " + String.join(" or ", unmatched.getSuggestions()) + "?" : "";
      e.getCommandLine().getErr().println("error: " + e.getMessage() + suggestion + " (see "
          + e.getCommandLine().getCommandSpec().qualifiedName() + " --help)");
      return 2;
    });
  }

  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "a command is required");
  }

  /** A file named on the command line cannot be used; the message names the option, the file and why. */
  static final class Unusable extends Exception {
    private static final long serialVersionUID = 1L;

    Unusable(String message) {
      super(message);
    }
  }

  /** The text of a file, or why it cannot be read. */
  static String read(Path file, String option) throws Unusable {
    try {
      return Files.readString(file, StandardCharsets.US_ASCII);
    } catch (NoSuchFileException e) {
      throw new Unusable(option + " " + file + ": no such file");
    } catch (AccessDeniedException e) {
      throw new Unusable(option + " " + file + ": permission denied");
    } catch (IOException e) {
      throw new Unusable(option + " " + file + ": cannot read it (" + e.getMessage() + ")");
    }
  }

  /** Where the enrollment token comes from: the command line or a file (safer: not visible in ps). */
  static final class TokenSource {
    @Option(names = "--token", required = true, paramLabel = "TOKEN", description = "the try's enrollment token (visible to other local users in the process list; prefer --token-file)")
    String token;

    @Option(names = "--token-file", required = true, paramLabel = "FILE", description = "file holding the enrollment token, or - for standard input")
    String tokenFile;

    String read() throws Unusable {
      if (token != null) {
        return token.strip();
      }
      if ("-".equals(tokenFile)) {
        try {
          return new String(System.in.readAllBytes(), StandardCharsets.US_ASCII).strip();
        } catch (IOException e) {
          throw new Unusable("--token-file -: cannot read standard input (" + e.getMessage() + ")");
        }
      }
      return SupervisorCli.read(Path.of(tokenFile), "--token-file").strip();
    }
  }

  /** Enrolls with a token, starts the try, runs the task script, and finishes the try. */
  @Command(
      name = "run",
      mixinStandardHelpOptions = true,
      description = {
        "Enrolls with an enrollment token, runs the try's steps and finishes it.",
        "The key pair is made fresh in memory. It starts the task try and heartbeats while it runs, then in"
            + " order: reads each --variable, pushes each --push-xcom, pulls each --pull-xcom, and finishes the try"
            + " in --finish. The certificate renews itself before it expires.",
        "Exit code 0 when every step succeeded, 3 when a read was refused (PERMISSION_DENIED), 1 on any other"
            + " failure (one line on stderr after \"error: \" says why; for a connection, the target and the likely"
            + " cause), 2 on bad usage."
      })
  static final class Run implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--execution-target", required = true, paramLabel = "HOST:PORT",
        description = "host:port of the mutual-TLS Execution API, e.g. localhost:7443")
    String executionTarget;

    @Option(names = "--enrollment-target", required = true, paramLabel = "HOST:PORT",
        description = "host:port of the enrollment port, e.g. localhost:7444")
    String enrollmentTarget;

    @Option(names = "--trust-bundle", required = true, paramLabel = "FILE",
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

    @Option(names = "--finish", defaultValue = "SUCCESS", paramLabel = "STATE",
        description = "terminal state to finish in: ${COMPLETION-CANDIDATES} (default ${DEFAULT-VALUE})")
    TerminalState finish;

    @Option(names = "--timeout", defaultValue = "PT10S", paramLabel = "DURATION",
        description = "deadline of each call, ISO-8601 (default ${DEFAULT-VALUE})")
    Duration timeout;

    @Option(names = "--heartbeat-interval", defaultValue = "PT5S", paramLabel = "DURATION",
        description = "how often to heartbeat, ISO-8601 (default ${DEFAULT-VALUE})")
    Duration heartbeatInterval;

    @Option(names = "--crypto-provider", paramLabel = "PROVIDER",
        defaultValue = "${sys:" + SupervisorConfig.CRYPTO_PROVIDER_PROPERTY + ":-native}",
        description = "what generates the key, signs the CSR and checks the server's chain: native (falls back"
            + " to jdk where it cannot load) or jdk, pure Java (default ${DEFAULT-VALUE})")
    String cryptoProvider;

    @Option(names = "--verbose",
        description = "on a failure, also print the exception with its causes, and let gRPC log its warnings")
    boolean verbose;

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
      for (String option : List.of("--timeout", "--heartbeat-interval")) {
        Duration value = spec.findOption(option).getValue();
        if (value.isNegative() || value.isZero()) {
          List<String> given = spec.findOption(option).originalStringValues();
          throw new CommandLine.ParameterException(spec.commandLine(), option + " must be positive, got "
              + (given.isEmpty() ? value : given.get(given.size() - 1)));
        }
      }
      if (!verbose) {
        LibraryLogging.quiet();
      }
      SupervisorConfig config;
      String enrollmentToken;
      try {
        List<X509Certificate> roots;
        try {
          roots = Pem.parseCertificates(read(trustBundle, "--trust-bundle"));
        } catch (PemException e) {
          throw new Unusable("--trust-bundle " + trustBundle + ": " + e.getMessage());
        }
        config = new SupervisorConfig(executionTarget, enrollmentTarget, roots, timeout,
            SupervisorConfig.RenewalPolicy.DEFAULT, SignatureProvider.select(crypto));
        enrollmentToken = token.read();
      } catch (Unusable e) {
        err.println("error: " + e.getMessage());
        return 1;
      }
      String hostname = hostname();
      int pid = (int) ProcessHandle.current().pid();
      int refused;
      ConnectionFailures execution = new ConnectionFailures(executionTarget, "the trust bundle received at enrollment",
          "the certificate issued at enrollment");
      TaskSession opened;
      try {
        opened = TaskSession.open(config, enrollmentToken, new SecureRandom());
      } catch (TaskcertException e) {
        return fail(err, new ConnectionFailures(enrollmentTarget, "--trust-bundle " + trustBundle, null), e);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
      }
      try (TaskSession session = opened) {
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
            finishAfterFailure(session, err, execution);
            throw e;
          }
          if (heartbeats.tryEnded()) {
            return 1;
          }
        }
        session.client().finishTask(finish);
        out.println("finished " + finish);
      } catch (TaskcertException e) {
        return fail(err, execution, e);
      } finally {
        out.flush();
      }
      return refused == 0 ? 0 : 3;
    }

    /** One {@code error:} line, exit status 1: why the connection failed, or what the server answered. */
    private int fail(PrintWriter err, ConnectionFailures connection, TaskcertException e) {
      err.println("error: " + connection.describe(e).orElse(e.getMessage()));
      if (verbose) {
        e.printStackTrace(err);
      }
      err.flush();
      return 1;
    }

    /** This machine's name, as the try's heartbeats report it; resolving it is not needed to run a try. */
    private static String hostname() {
      try {
        return InetAddress.getLocalHost().getHostName();
      } catch (UnknownHostException e) {
        String fromEnvironment = System.getenv("HOSTNAME");
        return fromEnvironment == null || fromEnvironment.isBlank() ? "localhost" : fromEnvironment;
      }
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
    private static void finishAfterFailure(TaskSession session, PrintWriter err, ConnectionFailures execution) {
      try {
        session.client().finishTask(TerminalState.FAILED);
        err.println("finished FAILED after the error below");
      } catch (TaskcertException e) {
        err.println("could not finish the try as FAILED: " + execution.describe(e).orElse(e.getMessage()));
      }
    }
  }
}
