package dev.taskcert.admin;

import dev.taskcert.proto.admin.v1.AdminDeleteConnectionRequest;
import dev.taskcert.proto.admin.v1.AdminDeleteConnectionResponse;
import dev.taskcert.proto.admin.v1.AdminSetConnectionRequest;
import java.nio.file.Path;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code connection set}, {@code connection delete}: connections, their passwords sealed at rest. */
@Command(name = "connection", mixinStandardHelpOptions = true, description = "Connections.",
    subcommands = {ConnectionCommand.Set.class, ConnectionCommand.Delete.class})
final class ConnectionCommand extends CommandGroup {

  /** Where the password comes from: never the command line, where other local users could read it. */
  static final class Password {
    @Option(names = "--password-env", required = true, paramLabel = "VARIABLE",
        description = "an environment variable holding the password")
    String variable;

    @Option(names = "--password-file", required = true, paramLabel = "FILE", description = "a file holding the password")
    Path file;

    String read() throws AdminCommand.Failure {
      if (file != null) {
        return AdminCommand.read(file, "--password-file").strip();
      }
      String value = System.getenv(variable);
      if (value == null) {
        throw new AdminCommand.Failure("--password-env " + variable + ": the variable is not set");
      }
      return value;
    }
  }

  @Command(name = "set", mixinStandardHelpOptions = true,
      description = "Creates or replaces a connection; the server seals its password at rest.")
  static final class Set extends AdminCommand {
    @Parameters(paramLabel = "CONN_ID", description = "the connection id")
    String connId;

    @Option(names = "--type", required = true, paramLabel = "TYPE", description = "connection type, e.g. postgres")
    String type;

    @Option(names = "--host", defaultValue = "", paramLabel = "HOST", description = "host")
    String host;

    @Option(names = "--port", defaultValue = "0", paramLabel = "PORT", description = "port, 0 for none")
    int port;

    @Option(names = "--schema", defaultValue = "", paramLabel = "SCHEMA", description = "schema or database")
    String schema;

    @Option(names = "--login", defaultValue = "", paramLabel = "LOGIN", description = "login")
    String login;

    @ArgGroup(exclusive = true)
    Password password;

    @Option(names = "--extra", defaultValue = "{}", paramLabel = "JSON", description = "extra fields, a JSON object")
    String extra;

    @Option(names = "--team", paramLabel = "TEAM", description = "the owning team; omit for a global connection")
    String team;

    @Override
    protected void execute(Stubs stubs, Output output) throws Failure {
      AdminSetConnectionRequest request = AdminSetConnectionRequest.newBuilder()
          .setConnId(connId).setConnType(type).setHost(host).setPort(port).setSchema(schema).setLogin(login)
          .setPassword(password == null ? "" : password.read()).setExtraJson(extra)
          .setTeam(team == null ? "" : team).build();
      stubs.admin().setConnection(request);
      output.stored(request, Output.fields("connection", connId, "type", type,
          "team", team == null ? "(none: global)" : team, "password", password == null ? "none" : "set (sealed at rest)"),
          "password");
    }
  }

  @Command(name = "delete", mixinStandardHelpOptions = true, description = "Deletes a connection.")
  static final class Delete extends AdminCommand {
    @Parameters(paramLabel = "CONN_ID", description = "the connection id")
    String connId;

    @Override
    protected void execute(Stubs stubs, Output output) {
      AdminDeleteConnectionResponse answer =
          stubs.admin().deleteConnection(AdminDeleteConnectionRequest.newBuilder().setConnId(connId).build());
      output.record(answer, Output.fields("connection", connId,
          "deleted", answer.getDeleted() ? "yes" : "no, it did not exist"));
    }
  }
}
