package dev.taskcert.admin;

import dev.taskcert.proto.admin.v1.EndTryRequest;
import dev.taskcert.proto.admin.v1.EndTryResponse;
import dev.taskcert.proto.admin.v1.QueueTaskInstanceRequest;
import dev.taskcert.proto.admin.v1.QueueTaskInstanceResponse;
import dev.taskcert.proto.admin.v1.ResumeTaskInstanceRequest;
import dev.taskcert.proto.admin.v1.ResumeTaskInstanceResponse;
import dev.taskcert.proto.execution.v1.TaskState;
import java.time.Instant;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code try queue}, {@code try resume} and {@code try end}: the next try of a task instance and its
 * token; resuming a deferred or rescheduled try; ending a try.
 */
@Command(name = "try", mixinStandardHelpOptions = true, description = "Task tries.",
    subcommands = {TryCommand.Queue.class, TryCommand.Resume.class, TryCommand.End.class})
final class TryCommand extends CommandGroup {

  @Command(name = "queue", mixinStandardHelpOptions = true, description = {
      "Queues the next try of a task instance and hands out its enrollment token.",
      "The new try supersedes the earlier ones. Its single-use token is shown only this once: written to"
          + " --token-file (mode 0600), or printed. Give it to the supervisor that will run the try."})
  static final class Queue extends AdminCommand {
    @Mixin
    TaskInstanceAddress instance;

    @Option(names = "--max-tries", defaultValue = "0", paramLabel = "N",
        description = "how many retries the task has, Airflow's max_tries (default ${DEFAULT-VALUE})")
    int maxTries;

    @Mixin
    TokenDelivery token;

    @Override
    protected void execute(Stubs stubs, Output output) throws Failure {
      token.check(this::usageError);
      QueueTaskInstanceResponse answer = stubs.admin().queueTaskInstance(QueueTaskInstanceRequest.newBuilder()
          .setDagId(instance.dagId).setRunId(instance.runId).setTaskId(instance.taskId).setMapIndex(instance.mapIndex)
          .setMaxTries(maxTries)
          .setTokenTtlSeconds(token.ttlSeconds()).build());
      String shown = token.deliver(answer.getEnrollmentToken(), "the try is queued, but its token is lost: queue it again");
      if (token.toFile()) {
        answer = answer.toBuilder().clearEnrollmentToken().build();
      }
      Instant expires = Instant.ofEpochSecond(answer.getTokenExpiresAt().getSeconds());
      output.record(answer, Output.fields("spiffe id", answer.getSpiffeId(), "try", Integer.toString(answer.getTryNumber()),
          "token", shown, "token expires", expires.toString()));
    }
  }

  @Command(name = "resume", mixinStandardHelpOptions = true, description = {
      "Resumes a DEFERRED or UP_FOR_RESCHEDULE try and hands out its new enrollment token.",
      "It stays the same try (same try number, no retry spent) under a new execution generation; the certificates"
          + " of its earlier executions are revoked. The resumed execution's single-use token is shown only this"
          + " once: written to --token-file (mode 0600), or printed."})
  static final class Resume extends AdminCommand {
    @Parameters(index = "0", paramLabel = "SPIFFE_ID", description = "the try, as its SPIFFE ID (spiffe://<domain>/ti/...)")
    String spiffeId;

    @Mixin
    TokenDelivery token;

    @Override
    protected void execute(Stubs stubs, Output output) throws Failure {
      token.check(this::usageError);
      ResumeTaskInstanceResponse answer = stubs.admin().resumeTaskInstance(ResumeTaskInstanceRequest.newBuilder()
          .setTaskTry(taskTry(spiffeId, "SPIFFE_ID"))
          .setTokenTtlSeconds(token.ttlSeconds()).build());
      String shown = token.deliver(answer.getEnrollmentToken(),
          "the try is resumed, but its token is lost: end the try and queue the next one");
      if (token.toFile()) {
        answer = answer.toBuilder().clearEnrollmentToken().build();
      }
      Instant expires = Instant.ofEpochSecond(answer.getTokenExpiresAt().getSeconds());
      output.record(answer, Output.fields("spiffe id", answer.getSpiffeId(), "try", Integer.toString(answer.getTryNumber()),
          "execution", Integer.toString(answer.getExecutionGeneration()),
          "revoked", answer.getRevokedSerialHexCount() + " earlier certificate(s)",
          "token", shown, "token expires", expires.toString()));
    }
  }

  @Command(name = "end", mixinStandardHelpOptions = true, description = {
      "Ends a task try from outside and revokes its certificates.",
      "Its state becomes final (failed unless --state says otherwise) and every certificate of it is revoked, so"
          + " its supervisor's next call or heartbeat is refused and a stolen copy of its key stops working on every"
          + " replica. Prints the serials revoked."})
  static final class End extends AdminCommand {
    @Parameters(index = "0", paramLabel = "SPIFFE_ID", description = "the try, as its SPIFFE ID (spiffe://<domain>/ti/...)")
    String spiffeId;

    @Option(names = "--state", defaultValue = "failed", paramLabel = "STATE",
        description = "failed, success, skipped, up-for-retry or removed (default ${DEFAULT-VALUE})")
    String state;

    @Option(names = "--reason", defaultValue = "", paramLabel = "TEXT", description = "why; recorded in the audit log")
    String reason;

    @Override
    protected void execute(Stubs stubs, Output output) {
      TaskState target = switch (state.toLowerCase(java.util.Locale.ROOT)) {
        case "failed" -> TaskState.TASK_STATE_FAILED;
        case "success" -> TaskState.TASK_STATE_SUCCESS;
        case "skipped" -> TaskState.TASK_STATE_SKIPPED;
        case "up-for-retry" -> TaskState.TASK_STATE_UP_FOR_RETRY;
        case "removed" -> TaskState.TASK_STATE_REMOVED;
        default -> throw usageError("--state must be failed, success, skipped, up-for-retry or removed, got " + state);
      };
      EndTryResponse answer = stubs.admin().endTry(EndTryRequest.newBuilder()
          .setTaskTry(taskTry(spiffeId, "SPIFFE_ID")).setState(target).setReason(reason).build());
      output.record(answer, Output.fields("try", spiffeId,
          "was", answer.getPreviousState().name().substring("TASK_STATE_".length()).toLowerCase(java.util.Locale.ROOT),
          "now", state.toLowerCase(java.util.Locale.ROOT),
          "revoked", answer.getRevokedSerialHexCount() + " certificate(s)",
          "serials", String.join(" ", answer.getRevokedSerialHexList())));
    }
  }
}
