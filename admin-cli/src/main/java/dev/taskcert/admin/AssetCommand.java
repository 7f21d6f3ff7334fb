package dev.taskcert.admin;

import dev.taskcert.proto.admin.v1.AssetAdminGrpc;
import dev.taskcert.proto.admin.v1.RegisterAssetRequest;
import dev.taskcert.proto.admin.v1.RegisterAssetResponse;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code asset register}: the assets tasks read and produce events for. */
@Command(name = "asset", mixinStandardHelpOptions = true, description = "Assets.",
    subcommands = AssetCommand.Register.class)
final class AssetCommand extends CommandGroup {

  @Command(name = "register", mixinStandardHelpOptions = true,
      description = "Creates an asset or updates it (by name): URI, group, extra, owning team and the teams it is shared with.")
  static final class Register extends AdminCommand {
    @Parameters(paramLabel = "NAME", description = "the asset's unique name")
    String name;

    @Option(names = "--uri", required = true, paramLabel = "URI", description = "the asset's unique URI")
    String uri;

    @Option(names = "--group", paramLabel = "GROUP", defaultValue = "", description = "its group (default: asset)")
    String group;

    @Option(names = "--extra", paramLabel = "JSON", defaultValue = "", description = "extra information, a JSON object")
    String extra;

    @Option(names = "--team", paramLabel = "TEAM", defaultValue = "",
        description = "the owning team; omit for a global asset every team sees")
    String team;

    @Option(names = "--share-with", paramLabel = "TEAM", description = "another team that may see it (repeatable)")
    List<String> sharedWith = new ArrayList<>();

    @Override
    protected void execute(Stubs stubs, Output output) {
      var admin = stubs.admin();
      AssetAdminGrpc.AssetAdminBlockingStub assets =
          AssetAdminGrpc.newBlockingStub(admin.getChannel()).withDeadline(admin.getCallOptions().getDeadline());
      RegisterAssetResponse answer = assets.registerAsset(RegisterAssetRequest.newBuilder().setName(name).setUri(uri)
          .setGroup(group).setExtraJson(extra).setTeam(team).addAllSharedWithTeams(sharedWith).build());
      output.record(answer, Output.fields("asset", name, "created", answer.getCreated() ? "yes" : "no, it was updated"));
    }
  }
}
