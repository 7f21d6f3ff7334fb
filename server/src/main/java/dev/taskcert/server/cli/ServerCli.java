package dev.taskcert.server.cli;

import dev.taskcert.server.ServerRuntime;
import dev.taskcert.server.StartupFailure;
import dev.taskcert.server.authz.AuthorizationRules;
import dev.taskcert.server.config.ServerConfig;
import dev.taskcert.server.config.ServerConfigLoader;
import dev.taskcert.server.metrics.ServerMetrics;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** The {@code taskcert-server} command line. */
@Command(
    name = "taskcert-server",
    mixinStandardHelpOptions = true,
    versionProvider = ServerCli.Version.class,
    description = "The taskcert execution server: the Execution, CA and Admin APIs over mutual TLS.",
    exitCodeListHeading = "%nExit status:%n",
    exitCodeList = {
      "0:success (serve: stopped by SIGTERM or SIGINT after draining calls)",
      "1:the server cannot start or the operation failed; one line on stderr after \"error: \" says why",
      "2:usage error: unknown command or option, missing or invalid value"
    },
    subcommands = {ServerCli.Serve.class, ServerCli.Migrate.class, ServerCli.Rules.class})
public final class ServerCli implements Runnable {
  @Spec CommandSpec spec;

  /** The environment the configuration's {@code TASKCERT_} overrides are read from. */
  private final Map<String, String> environment;

  private ServerCli(Map<String, String> environment) {
    this.environment = Map.copyOf(environment);
  }

  public static void main(String[] args) {
    System.exit(commandLine(System.getenv()).execute(args));
  }

  /**
   * The command line with its conventions: a usage error is one {@code error:} line and exit
   * status 2; configuration overrides come from {@code environment}.
   */
  public static CommandLine commandLine(Map<String, String> environment) {
    return new CommandLine(new ServerCli(environment)).setParameterExceptionHandler((ParameterException e, String[] args) -> {
      e.getCommandLine().getErr().println("error: " + e.getMessage() + " (see "
          + e.getCommandLine().getCommandSpec().qualifiedName() + " --help)");
      return 2;
    });
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** What {@code --version} prints: this build's version. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"taskcert-server " + ServerMetrics.version()};
    }
  }

  /** The options every command that reads the configuration shares, and how it reports a failure. */
  static final class ConfigOptions {
    @Option(names = "--config", paramLabel = "FILE",
        description = "properties file (see docs/configuration.md); optional if the environment sets every required key")
    Path config;

    @Option(names = "--verbose", description = "on failure, print the cause's stack trace after the error line")
    boolean verbose;

    ServerConfig load(CommandSpec spec) throws ServerConfigLoader.ConfigException {
      return new ServerConfigLoader(((ServerCli) spec.root().userObject()).environment).load(config);
    }

    /** Prints one {@code error:} line for {@code failure} (and the stack trace with --verbose); returns 1. */
    int fail(PrintWriter err, Throwable failure) {
      err.println("error: " + describe(failure));
      if (verbose) {
        failure.printStackTrace(err);
      } else if (!(failure instanceof StartupFailure) && !(failure instanceof ServerConfigLoader.ConfigException)) {
        err.println("(run with --verbose for the details)");
      }
      err.flush();
      return 1;
    }

    private static String describe(Throwable failure) {
      if (failure instanceof StartupFailure || failure instanceof ServerConfigLoader.ConfigException) {
        return failure.getMessage();
      }
      return "cannot start: " + StartupFailure.rootMessage(failure);
    }
  }

  /** Runs a production server from a configuration file until stopped (SIGTERM drains calls). */
  @Command(
      name = "serve",
      mixinStandardHelpOptions = true,
      description = {
        "Runs the server against an external PostgreSQL with the CA in --config's ca_directory.",
        "Every key can be overridden by an environment variable TASKCERT_<KEY> ('.' becomes '_'); an unknown"
            + " TASKCERT_ variable is an error. The configuration, the CA and the secret key are checked before"
            + " the database is touched. Stops on SIGTERM/SIGINT after draining in-flight calls."
      })
  static final class Serve implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Mixin ConfigOptions options;

    @Option(names = "--no-migrate",
        description = "do not migrate the database schema; refuse to start unless it is current (see the migrate command)")
    boolean noMigrate;

    @Option(names = "--check-config",
        description = "check the configuration, the CA, the secret key and the database (reachable, schema current), print what was found, and exit")
    boolean checkConfig;

    @Option(names = "--log-format", paramLabel = "FORMAT", defaultValue = "text",
        description = "text, or json for one JSON object per line with full timestamps (default ${DEFAULT-VALUE})")
    String logFormat;

    @Override
    public Integer call() throws Exception {
      PrintWriter err = spec.commandLine().getErr();
      if (!logFormat.equals("text") && !logFormat.equals("json")) {
        throw new ParameterException(spec.commandLine(), "--log-format must be text or json, got " + logFormat);
      }
      LogFormat.use(logFormat);
      ServerRuntime runtime;
      try {
        ServerConfig config = options.load(spec).toBuilder()
            .migrateSchema(!noMigrate && !checkConfig).build();
        if (checkConfig) {
          return check(config);
        }
        runtime = ServerRuntime.start(config, Clock.systemUTC());
      } catch (Exception e) {
        return options.fail(err, e);
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

    private int check(ServerConfig config) {
      PrintWriter out = spec.commandLine().getOut();
      ServerRuntime.Check check = ServerRuntime.check(config, Clock.systemUTC());
      out.println("configuration: OK");
      out.println("trust domain:  " + config.trustDomain().name());
      out.println("CA:            intermediate " + check.intermediateSerial() + " valid until " + check.intermediateNotAfter()
          + ", " + check.roots() + " trusted root(s)");
      out.println("secret key:    " + config.secretKeyFile() + " (loaded)");
      out.println("database:      reachable, schema at version " + check.schemaVersion() + " (current)");
      out.println("signatures:    " + check.signatureProvider());
      out.flush();
      return 0;
    }
  }

  /** Migrates the database schema and exits. */
  @Command(
      name = "migrate",
      mixinStandardHelpOptions = true,
      description = {
        "Creates or migrates the database schema to this version and exits.",
        "Run it once per upgrade, with a database role that may create tables; replicas can then run"
            + " 'serve --no-migrate' with a role that cannot. Needs only the database keys of the configuration."
      })
  static final class Migrate implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Mixin ConfigOptions options;

    @Override
    public Integer call() {
      try {
        String version = ServerRuntime.migrate(options.load(spec), Clock.systemUTC());
        spec.commandLine().getOut().println("database schema at version " + version);
        spec.commandLine().getOut().flush();
        return 0;
      } catch (Exception e) {
        return options.fail(spec.commandLine().getErr(), e);
      }
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
}
