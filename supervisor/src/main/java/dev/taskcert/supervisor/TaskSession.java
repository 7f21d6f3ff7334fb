package dev.taskcert.supervisor;

import dev.taskcert.supervisor.channel.RotatingChannel;
import dev.taskcert.supervisor.client.ExecutionClient;
import dev.taskcert.supervisor.credentials.CredentialRotator;
import dev.taskcert.supervisor.credentials.Enrollment;
import dev.taskcert.supervisor.credentials.TaskCredentials;
import java.security.SecureRandom;
import java.time.Clock;

/**
 * One task try's connection to the server: enrolls with the token (a fresh key pair generated in
 * memory), then holds a mutual-TLS channel whose certificate renews itself before it expires.
 * In-flight calls survive every rotation. Close it when the task ends.
 */
public final class TaskSession implements AutoCloseable {
  private final RotatingChannel channel;
  private final CredentialRotator rotator;
  private final ExecutionClient client;

  private TaskSession(RotatingChannel channel, CredentialRotator rotator, SupervisorConfig config) {
    this.channel = channel;
    this.rotator = rotator;
    this.client = new ExecutionClient(channel, config.callTimeout());
  }

  /** Enrolls with {@code enrollmentToken}, opens the mutual-TLS channel and starts renewing. */
  public static TaskSession open(SupervisorConfig config, String enrollmentToken, SecureRandom random) {
    return open(config, enrollmentToken, random, Clock.systemUTC());
  }

  /** As {@link #open(SupervisorConfig, String, SecureRandom)}, timing renewals with {@code clock}. */
  public static TaskSession open(SupervisorConfig config, String enrollmentToken, SecureRandom random, Clock clock) {
    TaskCredentials credentials = Enrollment.enroll(config, enrollmentToken, random);
    RotatingChannel channel = new RotatingChannel(config.executionTarget(), credentials, config.signatures());
    CredentialRotator rotator = new CredentialRotator(credentials, channel, config, clock, random);
    rotator.addListener(channel::rotate);
    rotator.start();
    return new TaskSession(channel, rotator, config);
  }

  /** The credentials in force now (they change at each renewal). */
  public TaskCredentials credentials() {
    return rotator.current();
  }

  /** Register here to hear about renewals, renewal failures and the end of the try. */
  public CredentialRotator renewals() {
    return rotator;
  }

  public ExecutionClient client() {
    return client;
  }

  @Override
  public void close() {
    rotator.close();
    channel.close();
  }
}
