package dev.taskcert.admin;

import dev.taskcert.proto.admin.v1.AdminDeleteVariableRequest;
import dev.taskcert.proto.admin.v1.AdminDeleteVariableResponse;
import dev.taskcert.proto.admin.v1.AdminSetVariableRequest;
import java.nio.file.Path;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code variable set}, {@code variable delete}: variables of any team, or global ones. */
@Command(name = "variable", mixinStandardHelpOptions = true, description = "Variables.",
    subcommands = {VariableCommand.Set.class, VariableCommand.Delete.class})
final class VariableCommand extends CommandGroup {

  /** Where the value comes from. */
  static final class Value {
    @Option(names = "--value", required = true, paramLabel = "TEXT", description = "the value")
    String text;

    @Option(names = "--value-file", required = true, paramLabel = "FILE", description = "a file holding the value")
    Path file;

    String read() throws AdminCommand.Failure {
      return text != null ? text : AdminCommand.read(file, "--value-file");
    }
  }

  @Command(name = "set", mixinStandardHelpOptions = true, description = "Creates or replaces a variable.")
  static final class Set extends AdminCommand {
    @Parameters(paramLabel = "KEY", description = "the variable's key")
    String key;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Value value;

    @Option(names = "--team", paramLabel = "TEAM", description = "the owning team; omit for a global variable")
    String team;

    @Option(names = "--description", paramLabel = "TEXT", defaultValue = "", description = "what it is for")
    String description;

    @Override
    protected void execute(Stubs stubs, Output output) throws Failure {
      AdminSetVariableRequest request = AdminSetVariableRequest.newBuilder()
          .setKey(key).setValue(value.read()).setTeam(team == null ? "" : team).setDescription(description).build();
      stubs.admin().setVariable(request);
      output.stored(request, Output.fields("variable", key, "team", team == null ? "(none: global)" : team), "value");
    }
  }

  @Command(name = "delete", mixinStandardHelpOptions = true, description = "Deletes a variable.")
  static final class Delete extends AdminCommand {
    @Parameters(paramLabel = "KEY", description = "the variable's key")
    String key;

    @Override
    protected void execute(Stubs stubs, Output output) {
      AdminDeleteVariableResponse answer =
          stubs.admin().deleteVariable(AdminDeleteVariableRequest.newBuilder().setKey(key).build());
      output.record(answer, Output.fields("variable", key, "deleted", answer.getDeleted() ? "yes" : "no, it did not exist"));
    }
  }
}
