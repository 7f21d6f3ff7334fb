package dev.taskcert.supervisor.heartbeat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.taskcert.supervisor.SilentPeer;
import dev.taskcert.supervisor.TaskcertException;
import dev.taskcert.supervisor.client.ExecutionClient;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Closing the loop while a heartbeat is in flight (a run that ends while its heartbeat is still
 * on the wire) interrupts that heartbeat, and that is not a failed heartbeat: nothing is logged
 * as a warning and the listener hears nothing. The heartbeat goes to a loopback socket that
 * accepts and never answers, so it is certainly in flight.
 */
class HeartbeatCloseTest {
  @Test
  void closingDuringAHeartbeatReportsNothing() throws Exception {
    Logger logger = (Logger) LoggerFactory.getLogger(HeartbeatLoop.class);
    ListAppender<ILoggingEvent> logged = new ListAppender<>();
    logged.start();
    logger.addAppender(logged);
    try (SilentPeer silent = new SilentPeer()) {
      ManagedChannel channel = ManagedChannelBuilder.forTarget(silent.target())
          .usePlaintext().build();
      List<String> heard = new CopyOnWriteArrayList<>();
      try {
        HeartbeatLoop loop = HeartbeatLoop.start(new ExecutionClient(channel, Duration.ofSeconds(60)), "worker-1", 4242,
            Duration.ofSeconds(30), new HeartbeatLoop.Listener() {
              @Override
              public void onTryNoLongerLive(TaskcertException reason) {
                heard.add("ended: " + reason.getMessage());
              }

              @Override
              public void onHeartbeatFailed(TaskcertException error) {
                heard.add("failed: " + error.getMessage());
              }
            });
        assertTrue(silent.awaitConnection(Duration.ofSeconds(30)), "the heartbeat never connected");
        Thread.sleep(200);
        loop.close();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().equals("taskcert-heartbeat"))
            && System.nanoTime() < deadline) {
          Thread.sleep(10);
        }
        assertEquals(List.of(), heard, "a closed loop reported its interrupted heartbeat");
        assertEquals(List.of(), logged.list.stream().filter(event -> event.getLevel().isGreaterOrEqual(Level.WARN))
            .map(ILoggingEvent::getFormattedMessage).toList());
      } finally {
        channel.shutdownNow();
      }
    } finally {
      logger.detachAppender(logged);
    }
  }
}
