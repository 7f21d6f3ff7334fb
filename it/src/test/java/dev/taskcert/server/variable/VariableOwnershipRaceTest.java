package dev.taskcert.server.variable;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.taskcert.dev.DemoData;
import dev.taskcert.proto.execution.v1.SetVariableRequest;
import dev.taskcert.server.testing.TestEnvironment;
import dev.taskcert.server.testing.TestTask;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two teams create the same new variable at the same moment, round after round: exactly one
 * creates it, the other is refused as for any variable that is not its team's, and the key keeps
 * the creator's team and value. Before the write was conditional on the owner, the second writer
 * overwrote the row and took it over.
 */
class VariableOwnershipRaceTest {
  @RegisterExtension
  static final TestEnvironment env = new TestEnvironment();

  private static final int ROUNDS = 300;

  /** What one writer's SetVariable answered. */
  private record Outcome(String team, Status.Code code) {}

  @Test
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  void aTeamNeverTakesOverAVariableAnotherTeamJustCreated() throws Exception {
    ExecutorService writers = Executors.newFixedThreadPool(2);
    try (TestTask analytics = env.startTask(DemoData.ANALYTICS); TestTask payments = env.startTask(DemoData.PAYMENTS)) {
      for (int round = 0; round < ROUNDS; round++) {
        String key = "race_" + round;
        CyclicBarrier start = new CyclicBarrier(2);
        Future<Outcome> a = writers.submit(() -> write(analytics, "analytics", key, start));
        Future<Outcome> b = writers.submit(() -> write(payments, "payments", key, start));
        List<Outcome> outcomes = List.of(a.get(30, TimeUnit.SECONDS), b.get(30, TimeUnit.SECONDS));
        List<Outcome> created = outcomes.stream().filter(o -> o.code() == Status.Code.OK).toList();
        assertEquals(1, created.size(), "round " + round + ": exactly one team creates the key: " + outcomes);
        Outcome loser = outcomes.stream().filter(o -> o.code() != Status.Code.OK).findFirst().orElseThrow();
        assertEquals(Status.Code.PERMISSION_DENIED, loser.code(), "round " + round + ": " + outcomes);
        String winner = created.get(0).team();
        assertEquals(List.of(winner, "written by " + winner), stored(key), "round " + round + ": " + outcomes);
      }
    } finally {
      writers.shutdownNow();
      writers.awaitTermination(30, TimeUnit.SECONDS);
    }
  }

  private static Outcome write(TestTask task, String team, String key, CyclicBarrier start) throws Exception {
    start.await(30, TimeUnit.SECONDS);
    try {
      task.variables().setVariable(SetVariableRequest.newBuilder().setKey(key).setValue("written by " + team).build());
      return new Outcome(team, Status.Code.OK);
    } catch (StatusRuntimeException e) {
      return new Outcome(team, e.getStatus().getCode());
    }
  }

  /** The owning team's name and the value of {@code key}. */
  private static List<String> stored(String key) throws Exception {
    try (Connection db = env.instance(DataSource.class).getConnection();
        PreparedStatement query = db.prepareStatement(
            "select t.name, v.value from variable v left join team t on t.id = v.team_id where v.key = ?")) {
      query.setString(1, key);
      try (ResultSet row = query.executeQuery()) {
        row.next();
        List<String> stored = List.of(String.valueOf(row.getString(1)), row.getString(2));
        db.rollback();
        return stored;
      }
    }
  }
}
