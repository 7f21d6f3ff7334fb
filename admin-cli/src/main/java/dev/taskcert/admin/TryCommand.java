package dev.taskcert.admin;

import dev.taskcert.proto.admin.v1.EndTryRequest;
import dev.taskcert.proto.admin.v1.EndTryResponse;
import dev.taskcert.proto.admin.v1.QueueTaskInstanceRequest;
import dev.taskcert.proto.admin.v1.QueueTaskInstanceResponse;
import dev.taskcert.proto.admin.v1.ResumeTaskInstanceRequest;
import dev.taskcert.proto.admin.v1.ResumeTaskInstanceResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import dev.taskcert.proto.execution.v1.TaskState;
import picocli.CommandLine.Command;
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
      "Queues the next try of a task instance (superseding its earlier tries) and hands out the try's",
      "single-use enrollment token, shown only this once: written to --token-file (mode 0600), or",
      "printed. Give the token to the supervisor that will run the try."})
  static final class Queue extends AdminCommand {
    @Parameters(index = "0", paramLabel = "DAG", description = "the DAG id")
    String dagId;

    @Parameters(index = "1", paramLabel = "RUN", description = "the run id")
    String runId;

    @Parameters(index = "2", paramLabel = "TASK", description = "the task id")
    String taskId;

    @Option(names = "--map-index", defaultValue = "-1", paramLabel = "N",
        description = "map index, -1 for an unmapped task (default ${DEFAULT-VALUE})")
    int mapIndex;

    @Option(names = "--max-tries", defaultValue = "0", paramLabel = "N",
        description = "how many retries the task has, Airflow's max_tries (default ${DEFAULT-VALUE})")
    int maxTries;

    @Option(names = "--token-ttl", paramLabel = "DURATION",
        description = "how long the token stays redeemable, ISO-8601 (default: the server's, 24 h unless configured)")
    Duration tokenTtl;

    @Option(names = "--token-file", paramLabel = "FILE",
        description = "write the token to this new file, readable by its owner only, instead of printing it")
    Path tokenFile;

    @Override
    protected void execute(Stubs stubs, Output output) throws Failure {
      if (tokenTtl != null && (tokenTtl.isNegative() || tokenTtl.isZero())) {
        throw usageError("--token-ttl must be positive, got " + tokenTtl);
      }
      if (tokenFile != null && Files.exists(tokenFile)) {
        throw new Failure("--token-file " + tokenFile + " already exists; refusing to overwrite a token");
      }
      QueueTaskInstanceResponse answer = stubs.admin().queueTaskInstance(QueueTaskInstanceRequest.newBuilder()
          .setDagId(dagId).setRunId(runId).setTaskId(taskId).setMapIndex(mapIndex).setMaxTries(maxTries)
          .setTokenTtlSeconds(tokenTtl == null ? 0 : tokenTtl.toSeconds()).build());
      String token = answer.getEnrollmentToken();
      if (tokenFile != null) {
        writeToken(token);
        answer = answer.toBuilder().clearEnrollmentToken().build();
      }
      Instant expires = Instant.ofEpochSecond(answer.getTokenExpiresAt().getSeconds());
      output.record(answer, Output.fields("spiffe id", answer.getSpiffeId(), "try", Integer.toString(answer.getTryNumber()),
          "token", tokenFile != null ? "written to " + tokenFile + " (mode 0600)" : token,
          "token expires", expires.toString()));
    }

    private void writeToken(String token) throws Failure {
      try {
        Files.createFile(tokenFile, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(tokenFile, token + "\n", StandardCharsets.US_ASCII);
      } catch (FileAlreadyExistsException e) {
        throw new Failure("--token-file " + tokenFile + " already exists; the try is queued, but its token is lost:"
            + " queue it again");
      } catch (IOException e) {
        throw new Failure("cannot write --token-file " + tokenFile + " (" + e.getMessage()
            + "); the try is queued, but its token is lost: queue it again");
      }
    }
  }

  @Command(name = "resume", mixinStandardHelpOptions = true, description = {
      "Resumes a DEFERRED or UP_FOR_RESCHEDULE try as the same try (same try number, no retry spent)",
      "under a new execution generation, revoking the certificates of its earlier executions, and hands",
      "out the resumed execution's single-use enrollment token, shown only this once: written to",
      "--token-file (mode 0600), or printed."})
  static final class Resume extends AdminCommand {
    @Parameters(index = "0", paramLabel = "SPIFFE_ID", description = "the try, as its SPIFFE ID (spiffe://<domain>/ti/...)")
    String spiffeId;

    @Option(names = "--token-ttl", paramLabel = "DURATION",
        description = "how long the token stays redeemable, ISO-8601 (default: the server's, 24 h unless configured)")
    Duration tokenTtl;

    @Option(names = "--token-file", paramLabel = "FILE",
        description = "write the token to this new file, readable by its owner only, instead of printing it")
    Path tokenFile;

    @Override
    protected void execute(Stubs stubs, Output output) throws Failure {
      if (tokenTtl != null && (tokenTtl.isNegative() || tokenTtl.isZero())) {
        throw usageError("--token-ttl must be positive, got " + tokenTtl);
      }
      if (tokenFile != null && Files.exists(tokenFile)) {
        throw new Failure("--token-file " + tokenFile + " already exists; refusing to overwrite a token");
      }
      ResumeTaskInstanceResponse answer = stubs.admin().resumeTaskInstance(ResumeTaskInstanceRequest.newBuilder()
          .setTaskTry(taskTry(spiffeId, "SPIFFE_ID"))
          .setTokenTtlSeconds(tokenTtl == null ? 0 : tokenTtl.toSeconds()).build());
      String token = answer.getEnrollmentToken();
      if (tokenFile != null) {
        try {
          Files.createFile(tokenFile, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
          Files.writeString(tokenFile, token + "\n", StandardCharsets.US_ASCII);
        } catch (IOException e) {
          throw new Failure("cannot write --token-file " + tokenFile + " (" + e.getMessage()
              + "); the try is resumed, but its token is lost: end the try and queue the next one");
        }
        answer = answer.toBuilder().clearEnrollmentToken().build();
      }
      Instant expires = Instant.ofEpochSecond(answer.getTokenExpiresAt().getSeconds());
      output.record(answer, Output.fields("spiffe id", answer.getSpiffeId(), "try", Integer.toString(answer.getTryNumber()),
          "execution", Integer.toString(answer.getExecutionGeneration()),
          "revoked", answer.getRevokedSerialHexCount() + " earlier certificate(s)",
          "token", tokenFile != null ? "written to " + tokenFile + " (mode 0600)" : token,
          "token expires", expires.toString()));
    }
  }

  @Command(name = "end", mixinStandardHelpOptions = true, description = {
      "Ends a task try from outside: its state becomes final (failed unless --state says otherwise) and",
      "every certificate of it is revoked, so its supervisor's next call or heartbeat is refused and a",
      "stolen copy of its key stops working on every replica. Prints the serials revoked."})
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
