package dev.taskcert.admin;

import dev.taskcert.proto.admin.v1.RegisterDagBundleRequest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code bundle register}: DAG bundles and the team that owns their DAGs. */
@Command(name = "bundle", mixinStandardHelpOptions = true, description = "DAG bundles.",
    subcommands = BundleCommand.Register.class)
final class BundleCommand extends CommandGroup {

  @Command(name = "register", mixinStandardHelpOptions = true,
      description = "Creates a DAG bundle, or moves it to another team (or to none: its DAGs become global).")
  static final class Register extends AdminCommand {
    @Parameters(paramLabel = "NAME", description = "the bundle's name")
    String name;

    @Option(names = "--team", paramLabel = "TEAM", description = "the owning team; omit for global DAGs")
    String team;

    @Override
    protected void execute(Stubs stubs, Output output) {
      RegisterDagBundleRequest request = RegisterDagBundleRequest.newBuilder()
          .setName(name).setTeam(team == null ? "" : team).build();
      stubs.admin().registerDagBundle(request);
      output.stored(request, Output.fields("bundle", name, "team", team == null ? "(none: global)" : team));
    }
  }
}
