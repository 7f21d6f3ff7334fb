package dev.taskcert.admin;

import dev.taskcert.proto.admin.v1.RegisterTeamRequest;
import dev.taskcert.proto.admin.v1.RegisterTeamResponse;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code team register}: the teams that own DAG bundles, variables and connections. */
@Command(name = "team", mixinStandardHelpOptions = true, description = "Teams.",
    subcommands = TeamCommand.Register.class)
final class TeamCommand extends CommandGroup {

  @Command(name = "register", mixinStandardHelpOptions = true,
      description = "Creates a team; registering an existing team changes nothing.")
  static final class Register extends AdminCommand {
    @Parameters(paramLabel = "NAME", description = "1 to 50 characters of [A-Za-z0-9_-]")
    String name;

    @Override
    protected void execute(Stubs stubs, Output output) {
      RegisterTeamResponse answer = stubs.admin().registerTeam(RegisterTeamRequest.newBuilder().setName(name).build());
      output.record(answer, Output.fields("team", name, "created", answer.getCreated() ? "yes" : "no, it existed"));
    }
  }
}
