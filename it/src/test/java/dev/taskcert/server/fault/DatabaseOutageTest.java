package dev.taskcert.server.fault;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.taskcert.proto.execution.v1.GetVariableRequest;
import dev.taskcert.proto.execution.v1.SetXComRequest;
import dev.taskcert.dev.DemoData;
import dev.taskcert.server.testing.TestEnvironment;
import dev.taskcert.server.testing.TestTask;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * PostgreSQL stopped and started again under load: while it is down, calls that need it fail with
 * UNAVAILABLE (never a misleading denial or INTERNAL); afterwards the same server serves again
 * without a restart, and every write it acknowledged is there.
 */
class DatabaseOutageTest {
  @Test
  void reportsUnavailableDuringAnOutageAndRecoversWithoutLosingAcknowledgedWrites() throws Exception {
    try (TestEnvironment env = new TestEnvironment(builder -> builder.metricsPort(0)).started();
        TestTask task = env.startTask(DemoData.ANALYTICS)) {
      assertEquals(200, readiness(env).statusCode());
      Set<String> acknowledged = ConcurrentHashMap.newKeySet();
      Set<Status.Code> failures = ConcurrentHashMap.newKeySet();
      AtomicBoolean running = new AtomicBoolean(true);
      Thread writer = new Thread(() -> {
        for (int i = 0; running.get() && i < 100_000; i++) {
          String key = "k" + i;
          try {
            task.xcoms().withDeadlineAfter(15, TimeUnit.SECONDS)
                .setXCom(SetXComRequest.newBuilder().setKey(key).setValueJson(Integer.toString(i)).build());
            acknowledged.add(key);
          } catch (StatusRuntimeException e) {
            failures.add(e.getStatus().getCode());
          }
        }
      }, "outage-writer");
      writer.start();
      try {
        awaitAtLeast(acknowledged, 20);
        env.dev().database().stop();
        long before = acknowledged.size();
        StatusRuntimeException during = null;
        try {
          task.variables().withDeadlineAfter(15, TimeUnit.SECONDS)
              .getVariable(GetVariableRequest.newBuilder().setKey("analytics_bucket").build());
        } catch (StatusRuntimeException e) {
          during = e;
        }
        assertTrue(during != null, "a call that needs the database succeeded while it was down");
        assertEquals(Status.Code.UNAVAILABLE, during.getStatus().getCode(), during.toString());
        HttpResponse<String> notReady = readiness(env);
        assertEquals(503, notReady.statusCode(), notReady.body());
        assertTrue(notReady.body().startsWith("database: "), notReady.body());

        env.dev().database().restart();
        awaitAtLeast(acknowledged, (int) before + 20);
      } finally {
        running.set(false);
        writer.join(30_000);
      }
      assertEquals(Set.of(), failures.stream().filter(code -> code != Status.Code.UNAVAILABLE)
          .collect(java.util.stream.Collectors.toSet()), "only UNAVAILABLE may be reported during the outage");
      assertEquals("s3://analytics-raw-events", task.variables()
          .getVariable(GetVariableRequest.newBuilder().setKey("analytics_bucket").build()).getValue());
      for (String key : List.copyOf(acknowledged)) {
        assertEquals(1, env.count("select count(*) from xcom where task_id = '" + DemoData.ANALYTICS.taskId()
            + "' and key = '" + key + "'"), "acknowledged write " + key + " was lost");
      }
    }
  }

  private static HttpResponse<String> readiness(TestEnvironment env) throws Exception {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + env.dev().runtime().metricsPort() + "/readyz")).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static void awaitAtLeast(Set<String> acknowledged, int count) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (acknowledged.size() < count) {
      if (System.nanoTime() > deadline) {
        fail("only " + acknowledged.size() + " writes acknowledged, waiting for " + count);
      }
      Thread.sleep(20);
    }
  }
}
