package dev.taskcert.dev;

import dev.taskcert.pki.ca.CaLoadException;
import dev.taskcert.server.enrollment.QueuedTry;
import dev.taskcert.supervisor.SupervisorConfig;
import dev.taskcert.supervisor.TaskSession;
import dev.taskcert.supervisor.TaskcertException;
import dev.taskcert.supervisor.client.TerminalState;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The scripted demo: a task of each team enrolls with its token, starts, reads its own team's
 * variable and the global one (allowed), then tries the other team's (refused with NOT_FOUND,
 * exactly as if it did not exist), and finishes. Each step is printed and checked against what must happen.
 */
public final class DemoScenario {
  /** One checked step: what was tried, what was expected, what happened. */
  public record Step(String task, String action, String expected, String outcome) {
    public boolean asExpected() {
      return outcome.startsWith(expected);
    }
  }

  private final DevEnvironment environment;
  private final PrintWriter out;

  public DemoScenario(DevEnvironment environment, PrintWriter out) {
    this.environment = environment;
    this.out = out;
  }

  /** Runs the scenario and returns every step. */
  public List<Step> run() throws IOException, CaLoadException {
    SupervisorConfig config = new SupervisorConfig(
        environment.executionTarget(), environment.enrollmentTarget(),
        environment.ca().loadTrustBundle().roots(), Duration.ofSeconds(10));
    List<QueuedTry> tries = DemoData.queueTries(environment.taskQueue());
    List<Step> steps = new ArrayList<>();
    for (int i = 0; i < DemoData.TASKS.size(); i++) {
      DemoData.DemoTask task = DemoData.TASKS.get(i);
      DemoData.DemoTask other = DemoData.TASKS.get((i + 1) % DemoData.TASKS.size());
      QueuedTry queued = tries.get(i);
      out.println();
      out.println("Task " + task.dagId() + "." + task.taskId() + " (team " + task.team() + ")");
      try (TaskSession session = TaskSession.open(config, queued.enrollmentToken(), new SecureRandom())) {
        out.println("  enrolled with a one-time token; certificate identity:");
        out.println("    " + session.credentials().spiffeId());
        out.println("    serial " + session.credentials().serialHex() + ", valid until " + session.credentials().notAfter());
        session.client().startTask(InetAddress.getLoopbackAddress().getHostName(),
            (int) ProcessHandle.current().pid(), System.getProperty("user.name", "taskcert"));
        steps.add(read(session, task, task.ownVariable(), "ALLOWED"));
        steps.add(read(session, task, DemoData.GLOBAL_VARIABLE, "ALLOWED"));
        steps.add(read(session, task, other.ownVariable(), "NOT_FOUND"));
        session.client().finishTask(TerminalState.SUCCESS);
        out.println("  finished the try: SUCCESS");
      }
    }
    out.flush();
    return steps;
  }

  private Step read(TaskSession session, DemoData.DemoTask task, String key, String expected) {
    String outcome;
    try {
      String value = session.client().getVariable(key).value();
      outcome = "ALLOWED: " + key + " = " + value;
    } catch (TaskcertException e) {
      outcome = e.code() + ": " + e.getCause().getMessage().replaceFirst("^[A-Z_]+: ", "");
    }
    Step step = new Step(task.team(), "GetVariable(" + key + ")", expected, outcome);
    out.printf("  %-40s -> %s  [%s]%n", step.action(), outcome, step.asExpected() ? "as expected" : "UNEXPECTED");
    return step;
  }
}
