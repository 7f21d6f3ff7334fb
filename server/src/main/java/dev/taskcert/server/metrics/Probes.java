package dev.taskcert.server.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.taskcert.pki.crypto.SignatureProvider;
import dev.taskcert.server.pki.CaState;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/**
 * HTTP probes on the metrics port, for orchestrators that cannot speak mutual TLS: {@code /livez}
 * answers 200 while the process serves; {@code /readyz} answers 200 only when the database answers
 * and the CA is loaded with an intermediate valid now, else 503 with the reasons, one per line;
 * either way its last line names the signature provider in force, which never makes the server
 * unready (a fallback to pure Java is slower, not wrong).
 */
public final class Probes implements HttpHandler {
  private final DataSource database;
  private final CaState ca;
  private final Clock clock;
  private final SignatureProvider signatures;

  @Inject
  Probes(DataSource database, CaState ca, Clock clock, SignatureProvider signatures) {
    this.database = database;
    this.ca = ca;
    this.clock = clock;
    this.signatures = signatures;
  }

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      switch (exchange.getRequestURI().getPath()) {
        case "/livez" -> answer(exchange, 200, "live\n");
        case "/readyz" -> {
          List<String> problems = problems();
          answer(exchange, problems.isEmpty() ? 200 : 503,
              (problems.isEmpty() ? "ready\n" : String.join("\n", problems) + "\n")
                  + "crypto provider: " + signatures.describe() + "\n");
        }
        default -> answer(exchange, 404, "not found: try /metrics, /livez or /readyz\n");
      }
    }
  }

  /** What keeps the server from serving calls now; empty when it is ready. */
  public List<String> problems() {
    List<String> problems = new ArrayList<>();
    try (Connection connection = database.getConnection()) {
      if (!connection.isValid(2)) {
        problems.add("database: connection not valid");
      }
    } catch (Exception e) {
      problems.add("database: " + e.getMessage());
    }
    CaState.Snapshot current = ca.current();
    Instant now = clock.instant();
    if (current == null) {
      problems.add("ca: not loaded");
    } else if (now.isAfter(current.intermediate().certificate().getNotAfter().toInstant())) {
      problems.add("ca: the intermediate expired at " + current.intermediate().certificate().getNotAfter().toInstant());
    }
    return problems;
  }

  private static void answer(HttpExchange exchange, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }
}
