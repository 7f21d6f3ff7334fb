package dev.taskcert.supervisor;

import com.google.protobuf.Timestamp;
import dev.taskcert.proto.execution.v1.FinishTaskRequest;
import dev.taskcert.proto.execution.v1.GetVariableRequest;
import dev.taskcert.proto.execution.v1.GetVariableResponse;
import dev.taskcert.proto.execution.v1.StartTaskRequest;
import dev.taskcert.proto.execution.v1.StartTaskResponse;
import dev.taskcert.proto.execution.v1.TaskInstancesGrpc;
import dev.taskcert.proto.execution.v1.VariablesGrpc;
import io.grpc.Channel;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Typed calls to the Execution API for one task try. The server knows which try is calling from
 * the channel's certificate, so no method takes a dag, run or task id. Every call has a deadline;
 * failures are thrown as {@link TaskcertException}s.
 */
public final class ExecutionClient {
  private final Channel channel;
  private final Duration timeout;

  public ExecutionClient(Channel channel, Duration timeout) {
    this.channel = channel;
    this.timeout = timeout;
  }

  /** Moves the try from QUEUED to RUNNING, recording where it runs. */
  public StartedTask startTask(String hostname, int pid, String unixUser) {
    StartTaskResponse response = call(() -> TaskInstancesGrpc.newBlockingStub(channel)
        .withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .startTask(StartTaskRequest.newBuilder()
            .setHostname(hostname)
            .setPid(pid)
            .setUnixUser(unixUser)
            .setStartDate(timestamp(Instant.now()))
            .build()));
    return new StartedTask(
        response.getDagRun().getDagId(), response.getDagRun().getRunId(),
        response.getTryNumber(), response.getMaxTries());
  }

  /** Reads a variable visible to this task. */
  public Variable getVariable(String key) {
    GetVariableResponse response = call(() -> VariablesGrpc.newBlockingStub(channel)
        .withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .getVariable(GetVariableRequest.newBuilder().setKey(key).build()));
    return new Variable(
        response.getKey(),
        response.getValue(),
        response.getTeam().isEmpty() ? Optional.empty() : Optional.of(response.getTeam()));
  }

  /** Ends the try in a terminal state. */
  public void finishTask(TerminalState state) {
    call(() -> TaskInstancesGrpc.newBlockingStub(channel)
        .withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .finishTask(FinishTaskRequest.newBuilder()
            .setState(state.wire())
            .setEndDate(timestamp(Instant.now()))
            .build()));
  }

  private static <T> T call(Supplier<T> rpc) {
    try {
      return rpc.get();
    } catch (StatusRuntimeException e) {
      throw TaskcertException.from(e);
    }
  }

  private static Timestamp timestamp(Instant instant) {
    return Timestamp.newBuilder().setSeconds(instant.getEpochSecond()).setNanos(instant.getNano()).build();
  }
}
