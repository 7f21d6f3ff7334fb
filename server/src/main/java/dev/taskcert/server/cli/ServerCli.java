package dev.taskcert.server.cli;

import dev.taskcert.server.ServerRuntime;
import dev.taskcert.server.authz.AuthorizationRules;
import dev.taskcert.server.config.ServerConfig;
import dev.taskcert.server.config.ServerConfigLoader;
import java.nio.file.Path;
import java.time.Clock;
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
    subcommands = {ServerCli.Serve.class, ServerCli.Rules.class})
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

}
