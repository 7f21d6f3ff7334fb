package dev.taskcert.dev;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskcert.server.testing.TestEnvironment;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;

class DemoScenarioTest {
  @Test
  void bothTeamsReadTheirOwnVariablesAndAreDeniedEachOthers() throws Exception {
    StringWriter output = new StringWriter();
    List<DemoScenario.Step> steps;
    try (TestEnvironment env = new TestEnvironment().started()) {
      steps = new DemoScenario(env.dev(), new PrintWriter(output)).run();
    }
    assertEquals(6, steps.size());
    assertTrue(steps.stream().allMatch(DemoScenario.Step::asExpected), output.toString());
    assertEquals(2, steps.stream().filter(step -> step.outcome().startsWith("NOT_FOUND")).count());
    assertTrue(output.toString().contains("spiffe://taskcert.local/ti/analytics_daily/"), output.toString());
  }
}
