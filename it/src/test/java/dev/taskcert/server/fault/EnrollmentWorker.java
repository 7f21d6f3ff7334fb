package dev.taskcert.server.fault;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.taskcert.server.enrollment.QueuedTry;
import dev.taskcert.server.testing.TestEnvironment;
import dev.taskcert.supervisor.SupervisorConfig;
import dev.taskcert.supervisor.TaskcertException;
import dev.taskcert.supervisor.credentials.Enrollment;
import io.grpc.Status;
import java.security.SecureRandom;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * New tries enrolling one after another, each with its own token. A token refused as UNAVAILABLE is
 * set aside, not retried, so the test can check afterwards that the failed redemption left it usable.
 */
final class EnrollmentWorker extends LoadWorker {
  private final SupervisorConfig config;
  private final List<QueuedTry> queued;
  private final SecureRandom random = new SecureRandom();
  private final Set<String> issuedSerials = ConcurrentHashMap.newKeySet();
  private volatile String tokenRefusedAsUnavailable;
  private int next;

  EnrollmentWorker(SupervisorConfig config, List<QueuedTry> queued) {
    super("enrollment");
    this.config = config;
    this.queued = List.copyOf(queued);
  }

  @Override
  String operationName(long step) {
    return "CertificateAuthority/Enroll";
  }

  @Override
  void step(long step) {
    if (next >= queued.size()) {
      throw new IllegalStateException("all " + queued.size() + " queued tries are used; queue more for a longer test");
    }
    String token = queued.get(next++).enrollmentToken();
    try {
      issuedSerials.add(Enrollment.enroll(config, token, random).serialHex());
    } catch (TaskcertException e) {
      if (e.code() == Status.Code.UNAVAILABLE && tokenRefusedAsUnavailable == null) {
        tokenRefusedAsUnavailable = token;
      }
      throw e;
    }
  }

  @Override
  long pauseMillis() {
    return 200;
  }

  /** A token whose redemption failed with UNAVAILABLE and that was not tried again, or null. */
  String tokenRefusedAsUnavailable() {
    return tokenRefusedAsUnavailable;
  }

  @Override
  void verifyDurable(TestEnvironment env) throws Exception {
    for (String serial : issuedSerials) {
      assertEquals(1, env.count("select count(*) from issued_certificate where serial_hex = '" + serial + "'"),
          "certificate " + serial + " was issued but its record is lost");
    }
  }
}
