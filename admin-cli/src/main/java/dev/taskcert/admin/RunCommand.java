package dev.taskcert.admin;

import com.google.protobuf.Timestamp;
import dev.taskcert.proto.admin.v1.CreateDagRunRequest;
import dev.taskcert.proto.admin.v1.SetDagRunStateRequest;
import dev.taskcert.proto.admin.v1.SetDagRunStateResponse;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code run create}, {@code run set-state}: dag runs. */
@Command(name = "run", mixinStandardHelpOptions = true, description = "Dag runs.",
    subcommands = {RunCommand.Create.class, RunCommand.SetState.class})
final class RunCommand extends CommandGroup {

  @Command(name = "create", mixinStandardHelpOptions = true, description = "Creates a dag run.")
  static final class Create extends AdminCommand {
    @Parameters(index = "0", paramLabel = "DAG", description = "the DAG id")
    String dagId;

    @Parameters(index = "1", paramLabel = "RUN", description = "the run id, e.g. manual__2026-11-29T10:00:00+00:00")
    String runId;

    @Option(names = "--type", defaultValue = "manual", paramLabel = "TYPE",
        description = "scheduled, manual, backfill or asset_triggered (default ${DEFAULT-VALUE})")
    String runType;

    @Option(names = "--conf", defaultValue = "{}", paramLabel = "JSON", description = "run configuration, a JSON object")
    String conf;

    @Option(names = "--logical-date", paramLabel = "INSTANT", description = "ISO-8601, e.g. 2026-11-29T00:00:00Z")
    String logicalDate;

    @Option(names = "--data-interval-start", paramLabel = "INSTANT", description = "ISO-8601")
    String intervalStart;

    @Option(names = "--data-interval-end", paramLabel = "INSTANT", description = "ISO-8601")
    String intervalEnd;

    @Override
    protected void execute(Stubs stubs, Output output) {
      CreateDagRunRequest.Builder request = CreateDagRunRequest.newBuilder()
          .setDagId(dagId).setRunId(runId).setRunType(runType).setConfJson(conf);
      if (logicalDate != null) {
        request.setLogicalDate(timestamp(logicalDate, "--logical-date"));
      }
      if (intervalStart != null) {
        request.setDataIntervalStart(timestamp(intervalStart, "--data-interval-start"));
      }
      if (intervalEnd != null) {
        request.setDataIntervalEnd(timestamp(intervalEnd, "--data-interval-end"));
      }
      stubs.admin().createDagRun(request.build());
      output.stored(request.build(), Output.fields("dag", dagId, "run", runId, "type", runType));
    }

    private Timestamp timestamp(String text, String option) {
      try {
        Instant instant = Instant.parse(text);
        return Timestamp.newBuilder().setSeconds(instant.getEpochSecond()).setNanos(instant.getNano()).build();
      } catch (DateTimeParseException e) {
        throw usageError(option + " must be an ISO-8601 instant such as 2026-11-29T00:00:00Z, got " + text);
      }
    }
  }

  @Command(name = "set-state", mixinStandardHelpOptions = true, description = {
      "Sets a dag run's state.",
      "Ending it (success or failed) ends its unfinished tries as Airflow does (success: all success; failed:"
          + " running tries failed, the rest skipped) and revokes their certificates."})
  static final class SetState extends AdminCommand {
    @Parameters(index = "0", paramLabel = "DAG", description = "the DAG id")
    String dagId;

    @Parameters(index = "1", paramLabel = "RUN", description = "the run id")
    String runId;

    @Parameters(index = "2", paramLabel = "STATE", description = "queued, running, success or failed")
    String state;

    @Override
    protected void execute(Stubs stubs, Output output) {
      SetDagRunStateResponse answer = stubs.admin().setDagRunState(SetDagRunStateRequest.newBuilder()
          .setDagId(dagId).setRunId(runId).setState(state).build());
      output.record(answer, Output.fields("dag", dagId, "run", runId, "state", state,
          "tries ended", Integer.toString(answer.getEndedTries())));
    }
  }
}
