package dev.taskcert.dev;

import dev.taskcert.pki.issuance.IssuancePolicy;
import dev.taskcert.server.StartupFailure;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The {@code taskcert-dev} command: the server in dev mode (embedded PostgreSQL, a CA and demo data
 * in a local directory) for trying taskcert out, and the scripted demo. Not for production: the
 * production server is {@code taskcert-server serve}.
 */
@Command(
    name = "taskcert-dev",
    mixinStandardHelpOptions = true,
    version = "taskcert-dev 0.1.0",
    description = {
      "Starts a dev server on loopback with embedded PostgreSQL and demo data.",
      "The CA is bootstrapped into the data directory on first run (reused afterwards), with demo teams, DAGs and"
          + " variables. Writes an admin certificate and one enrollment token file per demo try, and prints the"
          + " commands that run a supervisor with them and that queue more tries. Stop with Ctrl-C.",
      "For production use taskcert-server serve; see docs/deployment.md."
    },
    exitCodeListHeading = "%nExit status:%n",
    exitCodeList = {"0:stopped normally", "1:could not start; the reason is on stderr after \"error: \"",
        "2:usage error: unknown option or invalid value"},
    subcommands = {DevCli.Demo.class})
public final class DevCli implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--data-dir", defaultValue = "data", paramLabel = "DIR",
      description = "where PostgreSQL data, the CA, the admin certificate and tokens live (default ${DEFAULT-VALUE})")
  Path dataDir;

  @Option(names = "--bind", defaultValue = "127.0.0.1", paramLabel = "ADDRESS",
      description = "address to listen on (default ${DEFAULT-VALUE}; dev mode is meant for loopback)")
  String bindAddress;

  @Option(names = "--port", defaultValue = "7443", paramLabel = "PORT",
      description = "mutual-TLS Execution API port (default ${DEFAULT-VALUE})")
  int port;

  @Option(names = "--enroll-port", defaultValue = "7444", paramLabel = "PORT",
      description = "enrollment (TLS) port (default ${DEFAULT-VALUE})")
  int enrollPort;

  @Option(names = "--metrics-port", defaultValue = "9464", paramLabel = "PORT",
      description = "HTTP port for /metrics, /livez and /readyz; -1 for none (default ${DEFAULT-VALUE})")
  int metricsPort;

  @Option(names = "--cert-lifetime", defaultValue = "PT10M", paramLabel = "DURATION",
      description = "task certificate lifetime, ISO-8601, 1 second to 24 hours (default ${DEFAULT-VALUE})")
  Duration certLifetime;

  @Option(names = "--tries", defaultValue = "1", paramLabel = "N",
      description = "tries to queue at start per demo task, 1 to 100; several are tries of separate map indexes (default ${DEFAULT-VALUE})")
  int tries;

  public static void main(String[] args) {
    System.exit(commandLine(new DevCli()).execute(args));
  }

  /** The command line with the usage-error convention: one {@code error:} line and exit status 2. */
  static CommandLine commandLine(Object command) {
    return new CommandLine(command).setParameterExceptionHandler((ParameterException e, String[] args) -> {
      e.getCommandLine().getErr().println("error: " + e.getMessage() + " (see "
          + e.getCommandLine().getCommandSpec().qualifiedName() + " --help)");
      return 2;
    });
  }

  @Override
  public Integer call() throws Exception {
    IssuancePolicy issuance = validated();
    PrintWriter out = spec.commandLine().getOut();
    DevEnvironment environment;
    try {
      environment = DevEnvironment.start(DevEnvironment.Options.of(dataDir, port, enrollPort, issuance,
          Clock.systemUTC()).with(builder -> builder.bindAddress(bindAddress).metricsPort(metricsPort)));
    } catch (Exception e) {
      spec.commandLine().getErr().println("error: cannot start dev mode: " + StartupFailure.rootMessage(e));
      return 1;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        environment.close();
      } catch (Exception e) {
        System.err.println("error while stopping: " + e);
      } finally {
        stopped.countDown();
      }
    }, "taskcert-shutdown"));
    new DevWelcome(environment, dataDir, out, LaunchCommands.current()).print(tries);
    out.flush();
    stopped.await();
    return 0;
  }

  private IssuancePolicy validated() {
    if (certLifetime.isNegative() || certLifetime.compareTo(Duration.ofSeconds(1)) < 0
        || certLifetime.compareTo(IssuancePolicy.MAX_LIFETIME) > 0) {
      throw new ParameterException(spec.commandLine(),
          "--cert-lifetime must be between PT1S and " + IssuancePolicy.MAX_LIFETIME + ", got " + certLifetime);
    }
    if (tries < 1 || tries > 100) {
      throw new ParameterException(spec.commandLine(), "--tries must be 1 to 100, got " + tries);
    }
    for (int value : new int[] {port, enrollPort}) {
      if (value < 0 || value > 65535) {
        throw new ParameterException(spec.commandLine(), "ports must be 0 to 65535, got " + value);
      }
    }
    if (metricsPort < -1 || metricsPort > 65535) {
      throw new ParameterException(spec.commandLine(), "--metrics-port must be -1 to 65535, got " + metricsPort);
    }
    return new IssuancePolicy(certLifetime, Duration.ofSeconds(60));
  }

  /** Runs the scripted two-team scenario against a throw-away dev environment. */
  @Command(
      name = "demo",
      mixinStandardHelpOptions = true,
      description = {
        "Runs the two-team scenario against a throw-away dev environment.",
        "The environment has a temporary directory and free ports. Two tasks of two teams enroll; each reads its own"
            + " team's variable and a global one (allowed) and the other team's (refused with NOT_FOUND, as if it did"
            + " not exist). Exit code 0 when every step went as expected."
      })
  static final class Demo implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      PrintWriter out = spec.commandLine().getOut();
      Path dataDir = Files.createTempDirectory("taskcert-demo");
      List<DemoScenario.Step> steps;
      try (DevEnvironment environment = DevEnvironment.start(DevEnvironment.Options.of(
          dataDir, 0, 0, IssuancePolicy.DEFAULT, Clock.systemUTC()))) {
        steps = new DemoScenario(environment, out).run();
      } finally {
        deleteRecursively(dataDir);
      }
      long unexpected = steps.stream().filter(step -> !step.asExpected()).count();
      out.println();
      out.println(unexpected == 0
          ? "Demo passed: every allow and every cross-team denial happened as expected."
          : "Demo FAILED: " + unexpected + " step(s) did not go as expected.");
      out.flush();
      return unexpected == 0 ? 0 : 1;
    }

    private static void deleteRecursively(Path root) throws java.io.IOException {
      try (var paths = Files.walk(root)) {
        for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(path);
        }
      }
    }
  }
}
