package dev.taskcert.supervisor;

import io.grpc.ManagedChannel;
import java.security.SecureRandom;
import java.util.concurrent.TimeUnit;

/**
 * One task try's connection to the server: enrolls with the token, then holds a mutual-TLS
 * channel presenting the try's certificate. Close it when the task ends.
 */
public final class TaskSession implements AutoCloseable {
  private final TaskCredentials credentials;
  private final ManagedChannel channel;
  private final ExecutionClient client;

  private TaskSession(TaskCredentials credentials, ManagedChannel channel, SupervisorConfig config) {
    this.credentials = credentials;
    this.channel = channel;
    this.client = new ExecutionClient(channel, config.callTimeout());
  }

  /** Enrolls with {@code enrollmentToken} and opens the mutual-TLS channel. */
  public static TaskSession open(SupervisorConfig config, String enrollmentToken, SecureRandom random) {
    TaskCredentials credentials = Enrollment.enroll(config, enrollmentToken, random);
    return new TaskSession(
        credentials, ClientTls.mutualTlsChannel(config.executionTarget(), credentials), config);
  }

  public TaskCredentials credentials() {
    return credentials;
  }

  public ExecutionClient client() {
    return client;
  }

  @Override
  public void close() {
    channel.shutdown();
    try {
      if (!channel.awaitTermination(5, TimeUnit.SECONDS)) {
        channel.shutdownNow();
      }
    } catch (InterruptedException e) {
      channel.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }
}
