package dev.taskcert.admin;

import dev.taskcert.proto.admin.v1.DagTask;
import dev.taskcert.proto.admin.v1.RegisterDagRequest;
import dev.taskcert.proto.admin.v1.XComReadScope;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code dag register}: DAGs, their bundle, and what their tasks may read. */
@Command(name = "dag", mixinStandardHelpOptions = true, description = "DAGs and their declared resources.",
    subcommands = DagCommand.Register.class)
final class DagCommand extends CommandGroup {

  @Command(name = "register", mixinStandardHelpOptions = true, description = {
      "Creates or updates a DAG.",
      "Declaring any connection or variable pattern (or --declares-resources) limits its tasks to what is declared;"
          + " --xcom-read-scope narrows the XComs they may read. Declaring its tasks (--task) lets SkipDownstream"
          + " skip only tasks downstream of the caller. --readable-by and --triggerable-by let tasks of other teams"
          + " read or trigger its runs."})
  static final class Register extends AdminCommand {
    @Parameters(paramLabel = "DAG", description = "the DAG id")
    String dagId;

    @Option(names = "--bundle", required = true, paramLabel = "BUNDLE", description = "the DAG's bundle (its team's)")
    String bundle;

    @Option(names = "--declare-connection", paramLabel = "CONN_ID",
        description = "a connection its tasks may read (repeatable)")
    List<String> connections = List.of();

    @Option(names = "--declare-variable", paramLabel = "PATTERN",
        description = "a variable key pattern its tasks may read, * for any run of characters (repeatable)")
    List<String> variables = List.of();

    @Option(names = "--declares-resources",
        description = "declare resources even if none is listed: its tasks may then read no variable or connection")
    boolean declaresResources;

    @Option(names = "--task", paramLabel = "TASK[=DOWNSTREAM,...]",
        description = "a task of the DAG and the tasks directly downstream of it (repeatable; every task once, e.g."
            + " --task extract=transform,report --task transform=load --task load --task report)")
    List<String> tasks = List.of();

    @Option(names = "--xcom-read-scope", paramLabel = "SCOPE", defaultValue = "team",
        description = "XComs its tasks may read: team, same-dag or same-run (default ${DEFAULT-VALUE})")
    String xcomReadScope;

    @Option(names = "--max-try-duration", paramLabel = "DURATION",
        description = "longest a try of this DAG may hold certificates, ISO-8601 (default: the server's try.max_duration)")
    java.time.Duration maxTryDuration;

    @Option(names = "--readable-by", paramLabel = "TEAM",
        description = "another team whose tasks may read its runs and task instances (repeatable)")
    List<String> readableBy = List.of();

    @Option(names = "--triggerable-by", paramLabel = "TEAM",
        description = "another team whose tasks may trigger and clear its runs (repeatable)")
    List<String> triggerableBy = List.of();

    @Option(names = "--paused", description = "register the DAG as paused (what GetDagState answers)")
    boolean paused;

    @Override
    protected void execute(Stubs stubs, Output output) {
      if (maxTryDuration != null && (maxTryDuration.isNegative() || maxTryDuration.toSeconds() < 1)) {
        throw usageError("--max-try-duration must be at least 1 second, got " + asGiven("--max-try-duration"));
      }
      XComReadScope scope = switch (xcomReadScope.toLowerCase(Locale.ROOT)) {
        case "team" -> XComReadScope.XCOM_READ_SCOPE_TEAM;
        case "same-dag" -> XComReadScope.XCOM_READ_SCOPE_SAME_DAG;
        case "same-run" -> XComReadScope.XCOM_READ_SCOPE_SAME_RUN;
        default -> throw usageError("--xcom-read-scope must be team, same-dag or same-run, got " + xcomReadScope);
      };
      boolean declares = declaresResources || !connections.isEmpty() || !variables.isEmpty();
      RegisterDagRequest request = RegisterDagRequest.newBuilder()
          .setDagId(dagId).setBundle(bundle).setDeclaresResources(declares)
          .addAllAllowedConnectionIds(connections).addAllAllowedVariablePatterns(variables)
          .setXcomReadScope(scope).addAllTasks(tasks.stream().map(Register::task).toList())
          .setMaxTryDurationSeconds(maxTryDuration == null ? 0 : maxTryDuration.toSeconds())
          .addAllReadableByTeams(readableBy).addAllTriggerableByTeams(triggerableBy).setIsPaused(paused).build();
      stubs.admin().registerDag(request);
      output.stored(request, Output.fields("dag", dagId, "bundle", bundle,
          "declared connections", declares ? String.join(", ", connections) : "(not declared: any of its team's)",
          "declared variables", declares ? String.join(", ", variables) : "(not declared: any of its team's)",
          "xcom read scope", xcomReadScope,
          "max try duration", maxTryDuration == null ? "(the server's)" : maxTryDuration.toString(),
          "declared tasks", tasks.isEmpty() ? "(not declared)" : String.join(" ", tasks),
          "readable by", readableBy.isEmpty() ? "(its own team only)" : String.join(", ", readableBy),
          "triggerable by", triggerableBy.isEmpty() ? "(its own team only)" : String.join(", ", triggerableBy),
          "paused", String.valueOf(paused)));
    }

    /** {@code TASK} or {@code TASK=DOWNSTREAM,...} as a declared task. */
    private static DagTask task(String spec) {
      int equals = spec.indexOf('=');
      DagTask.Builder task = DagTask.newBuilder().setTaskId(equals < 0 ? spec : spec.substring(0, equals));
      if (equals >= 0 && equals < spec.length() - 1) {
        task.addAllDownstreamTaskIds(Arrays.asList(spec.substring(equals + 1).split(",", -1)));
      }
      return task.build();
    }
  }
}
