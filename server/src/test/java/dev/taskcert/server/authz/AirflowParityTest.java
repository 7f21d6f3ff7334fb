package dev.taskcert.server.authz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * docs/airflow-parity.md stays true to the contract: every RPC it names is a method of the bound
 * contract, its counts are those of its rows, and every RPC of {@code taskcert.execution.v1} has a
 * row.
 */
class AirflowParityTest {
  private static final Path DOCUMENT = Path.of("..", "docs", "airflow-parity.md");
  private static final Pattern RPC = Pattern.compile("`([A-Z]\\w*/[A-Z]\\w*)`");
  private static final Set<String> METHODS = Set.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE");
  private static final Set<String> STATUSES = Set.of("✓", "◐", "✗", "out of scope");

  /** One route row: its HTTP method and path, status and the RPCs it names. */
  private record Row(String method, String path, String status, List<String> rpcs) {}

  private static String document;
  private static List<Row> rows;
  /** "Service/Method" of every method of the contract, to its full name. */
  private static Map<String, String> contract;

  @BeforeAll
  static void read() throws IOException {
    document = Files.readString(DOCUMENT);
    rows = new ArrayList<>();
    for (String line : section("routes")) {
      List<String> cells = cells(line);
      assertEquals(7, cells.size(), "a route row has 7 cells: " + line);
      rows.add(new Row(cells.get(1), cells.get(2), cells.get(5), rpcs(cells.get(4))));
    }
    contract = MethodRules.contract().stream().map(MethodRule::method)
        .collect(Collectors.toMap(AirflowParityTest::shortName, Function.identity()));
  }

  @Test
  void everyNamedRpcIsAMethodOfTheContract() {
    List<String> named = new ArrayList<>();
    rows.forEach(row -> named.addAll(row.rpcs()));
    for (String line : section("additions")) {
      named.addAll(rpcs(cells(line).get(0)));
    }
    assertFalse(named.isEmpty());
    for (String rpc : named) {
      assertTrue(contract.containsKey(rpc), rpc + " is named in " + DOCUMENT + " but is no method of the contract");
    }
  }

  @Test
  void everyExecutionRpcHasARow() {
    Set<String> named = new HashSet<>();
    rows.forEach(row -> named.addAll(row.rpcs()));
    for (String line : section("additions")) {
      named.addAll(rpcs(cells(line).get(0)));
    }
    Set<String> missing = new TreeSet<>();
    contract.forEach((shortName, fullName) -> {
      if (fullName.startsWith("taskcert.execution.v1.") && !named.contains(shortName)) {
        missing.add(shortName);
      }
    });
    assertEquals(Set.of(), missing, "RPCs of taskcert.execution.v1 without a row in " + DOCUMENT);
  }

  @Test
  void theCountsAtTheTopAreThoseOfTheRows() {
    String counts = String.join("\n", section("counts"));
    assertEquals(rows.size(), count(counts, "Routes: (\\d+)"), "total routes");
    long taskRoutes = rows.stream().filter(row -> !row.status().equals("out of scope")).count();
    assertEquals(taskRoutes, count(counts, "task-caller routes: (\\d+)"), "task-caller routes");
    for (String status : List.of("✓", "◐", "✗")) {
      assertEquals(rows.stream().filter(row -> row.status().equals(status)).count(),
          count(counts, Pattern.quote(status) + " (\\d+)"), status + " routes");
    }
    assertEquals(rows.size() - taskRoutes, count(counts, "out of scope\\): (\\d+)"), "out-of-scope routes");
  }

  @Test
  void everyRowIsOneRouteWithAStatusThatMatchesItsRpcs() {
    Set<String> routes = new HashSet<>();
    for (Row row : rows) {
      String route = row.method() + " " + row.path();
      assertTrue(METHODS.contains(row.method()), route + ": not an HTTP method");
      assertTrue(row.path().matches("`/\\S*`"), route + ": the path is one backticked path");
      assertTrue(routes.add(route), route + " has two rows");
      assertTrue(STATUSES.contains(row.status()), route + ": unknown status " + row.status());
      boolean served = row.status().equals("✓") || row.status().equals("◐");
      assertEquals(served, !row.rpcs().isEmpty(), route + ": a served route names its RPCs, any other none");
    }
  }

  /** The lines between {@code <!-- name:begin -->} and {@code <!-- name:end -->} that are table rows (no header). */
  private static List<String> section(String name) {
    int begin = document.indexOf("<!-- " + name + ":begin -->");
    int end = document.indexOf("<!-- " + name + ":end -->");
    assertTrue(begin >= 0 && end > begin, DOCUMENT + " has no " + name + " section");
    List<String> lines = new ArrayList<>();
    boolean table = false;
    for (String line : document.substring(begin, end).split("\n")) {
      if (line.startsWith("|---")) {
        table = true;
      } else if (!line.startsWith("|") || table) {
        if (!line.startsWith("<!--") && !line.isBlank()) {
          lines.add(line);
        }
      }
    }
    return lines;
  }

  private static List<String> cells(String line) {
    List<String> cells = new ArrayList<>();
    for (String cell : line.substring(1, line.length() - 1).split("\\|", -1)) {
      cells.add(cell.strip());
    }
    return cells;
  }

  private static List<String> rpcs(String cell) {
    List<String> rpcs = new ArrayList<>();
    Matcher matcher = RPC.matcher(cell);
    while (matcher.find()) {
      rpcs.add(matcher.group(1));
    }
    return rpcs;
  }

  private static long count(String text, String pattern) {
    Matcher matcher = Pattern.compile(pattern).matcher(text);
    assertTrue(matcher.find(), "the counts say nothing matching " + pattern + ": " + text);
    return Long.parseLong(matcher.group(1));
  }

  private static String shortName(String fullMethodName) {
    String service = fullMethodName.substring(0, fullMethodName.indexOf('/'));
    return service.substring(service.lastIndexOf('.') + 1) + fullMethodName.substring(fullMethodName.indexOf('/'));
  }
}
