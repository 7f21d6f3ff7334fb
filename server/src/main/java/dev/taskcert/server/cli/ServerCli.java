package dev.taskcert.server.cli;

import dev.taskcert.pki.issuance.IssuancePolicy;
import dev.taskcert.server.ServerRuntime;
import dev.taskcert.server.authz.AuthorizationRules;
import dev.taskcert.server.config.ServerConfig;
import dev.taskcert.server.config.ServerConfigLoader;
import dev.taskcert.server.dev.DemoData;
import dev.taskcert.server.dev.DemoScenario;
import dev.taskcert.server.dev.DevEnvironment;
import dev.taskcert.server.enrollment.QueuedTry;
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
import picocli.CommandLine.Spec;

/** The {@code taskcert-server} command line. */
@Command(
    name = "taskcert-server",
    mixinStandardHelpOptions = true,
    version = "taskcert-server 0.1.0",
    description = "The taskcert execution server and CA.",
    subcommands = {ServerCli.Serve.class, ServerCli.Dev.class, ServerCli.Demo.class, ServerCli.Rules.class,
        RevokeCommand.class})
public final class ServerCli implements Runnable {
  @Spec CommandSpec spec;

  public static void main(String[] args) {
    System.exit(new CommandLine(new ServerCli()).execute(args));
  }

  /** Runs a production server from a configuration file until stopped (SIGTERM drains calls). */
  @Command(
      name = "serve",
      mixinStandardHelpOptions = true,
      description = {
        "Runs the server against an external PostgreSQL with the CA in --config's ca_directory.",
        "Every key can be overridden by an environment variable TASKCERT_<KEY> ('.' becomes '_').",
        "Stops on SIGTERM/SIGINT after draining in-flight calls. Exit code 1 on a configuration error."
      })
  static final class Serve implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--config", description = "properties file (see docs/configuration.md); optional if the environment sets every required key")
    Path config;

    @Override
    public Integer call() throws Exception {
      ServerConfig serverConfig;
      try {
        serverConfig = new ServerConfigLoader(System.getenv()).load(config);
      } catch (ServerConfigLoader.ConfigException e) {
        spec.commandLine().getErr().println("error: " + e.getMessage());
        return 1;
      }
      ServerRuntime runtime;
      try {
        runtime = ServerRuntime.start(serverConfig, Clock.systemUTC());
      } catch (RuntimeException e) {
        spec.commandLine().getErr().println("error: cannot start: " + rootMessage(e));
        return 1;
      }
      CountDownLatch stopped = new CountDownLatch(1);
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        try {
          runtime.close();
        } catch (Exception e) {
          System.err.println("error while stopping: " + e);
        } finally {
          stopped.countDown();
        }
      }, "taskcert-shutdown"));
      stopped.await();
      return 0;
    }

    private static String rootMessage(Throwable e) {
      Throwable cause = e;
      while (cause.getCause() != null && cause.getCause() != cause) {
        cause = cause.getCause();
      }
      return cause.getMessage() == null ? cause.toString() : cause.getMessage();
    }
  }

  /** Prints the authorization rule table. */
  @Command(name = "rules", mixinStandardHelpOptions = true,
      description = "Prints the authorization rule every RPC declares in the contract, as a Markdown table.")
  static final class Rules implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      spec.commandLine().getOut().print(AuthorizationRules.markdownTable());
      spec.commandLine().getOut().flush();
      return 0;
    }
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** Runs the server in dev mode until interrupted. */
  @Command(
      name = "dev",
      mixinStandardHelpOptions = true,
      description = {
        "Starts the server on loopback with embedded PostgreSQL, a CA bootstrapped into the data",
        "directory on first run (reused afterwards) and demo teams, DAGs and variables. Prints a",
        "fresh enrollment token per demo task and the command that runs a supervisor with it.",
        "Stop with Ctrl-C."
      })
  static final class Dev implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--data-dir", defaultValue = "data",
        description = "where PostgreSQL data and the CA live (default ${DEFAULT-VALUE})")
    Path dataDir;

    @Option(names = "--port", defaultValue = "7443",
        description = "mutual-TLS Execution API port (default ${DEFAULT-VALUE})")
    int port;

    @Option(names = "--enroll-port", defaultValue = "7444",
        description = "enrollment (TLS) port (default ${DEFAULT-VALUE})")
    int enrollPort;

    @Option(names = "--cert-lifetime", defaultValue = "PT10M",
        description = "task certificate lifetime, ISO-8601 (default ${DEFAULT-VALUE})")
    Duration certLifetime;

    @Override
    public Integer call() throws Exception {
      PrintWriter out = spec.commandLine().getOut();
      DevEnvironment environment = DevEnvironment.start(DevEnvironment.Options.of(
          dataDir, port, enrollPort, new IssuancePolicy(certLifetime, Duration.ofSeconds(60)), Clock.systemUTC()));
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
      List<QueuedTry> tries = DemoData.queueTries(environment.taskQueue());
      Path bundle = environment.ca().bundlePath();
      out.println();
      out.println("taskcert dev server is up.");
      out.println("  Execution API (mutual TLS): " + environment.executionTarget());
      out.println("  Enrollment (TLS):           " + environment.enrollmentTarget());
      out.println("  Trust bundle:               " + bundle);
      out.println();
      out.println("Run a supervisor for a demo task (each token works once; restart for new ones):");
      for (int i = 0; i < tries.size(); i++) {
        DemoData.DemoTask task = DemoData.TASKS.get(i);
        DemoData.DemoTask other = DemoData.TASKS.get((i + 1) % tries.size());
        out.println();
        out.println("  # " + task.dagId() + "." + task.taskId() + " (team " + task.team() + "): reads its own, the global and the other team's variable");
        out.println("  ./mvnw -q -pl supervisor -am -DskipTests package exec:java@supervisor -Dexec.args=\"run"
            + " --execution-target " + environment.executionTarget()
            + " --enrollment-target " + environment.enrollmentTarget()
            + " --trust-bundle " + bundle
            + " --token " + tries.get(i).enrollmentToken()
            + " --variable " + task.ownVariable()
            + " --variable " + DemoData.GLOBAL_VARIABLE
            + " --variable " + other.ownVariable() + "\"");
      }
      out.println();
      out.println("Or run the whole scripted scenario in its own process:  ./mvnw -q -pl server -am -DskipTests package exec:java@server -Dexec.args=demo");
      out.println("Press Ctrl-C to stop.");
      out.flush();
      stopped.await();
      return 0;
    }
  }

  /** Runs the scripted two-team scenario against a throw-away dev environment. */
  @Command(
      name = "demo",
      mixinStandardHelpOptions = true,
      description = {
        "Starts a throw-away dev environment (temporary directory, free ports), then two tasks of",
        "two teams enroll; each reads its own team's variable and a global one (allowed) and the",
        "other team's (refused with PERMISSION_DENIED). Exit code 0 when every step went as expected."
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
