package dev.taskcert.server.attack;

import static dev.taskcert.server.testing.Statuses.refusedWithoutChange;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.taskcert.dev.DemoData;
import dev.taskcert.proto.execution.v1.GetXComRequest;
import dev.taskcert.proto.execution.v1.XComRef;
import dev.taskcert.server.audit.AuditEventRow;
import dev.taskcert.server.testing.TestEnvironment;
import dev.taskcert.server.testing.TestTask;
import io.grpc.Status;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

/**
 * Text a task controls, with line breaks in it, reaches the audit log as one line in both of the
 * server's log formats: it can neither end the line nor forge another event.
 */
class LogInjectionTest {
  @RegisterExtension
  static final TestEnvironment env = new TestEnvironment();

  private static final String FORGED = "audit kind=issue principal=spiffe://forged rpc=x resource=certificate:00";

  @Test
  void aLineBreakInATaskSuppliedIdCannotForgeAnAuditLogLine() throws Exception {
    String taskId = "x\n" + FORGED + " detail=\"\"\r\n\u2028\u0085" + FORGED;
    LoggerContext logging = (LoggerContext) LoggerFactory.getILoggerFactory();
    Logger auditLogger = logging.getLogger("taskcert.audit");
    ListAppender<ILoggingEvent> captured = new ListAppender<>();
    captured.setContext(logging);
    captured.start();
    auditLogger.addAppender(captured);
    try (TestTask task = env.startTask(DemoData.ANALYTICS)) {
      // Another team's XCom: refused as if absent, and audited with the task id as the task sent it.
      XComRef ref = XComRef.newBuilder().setDagId(DemoData.PAYMENTS.dagId()).setRunId(DemoData.RUN_ID)
          .setTaskId(taskId).setKey("k").build();
      refusedWithoutChange(env, Status.Code.NOT_FOUND,
          () -> task.xcoms().getXCom(GetXComRequest.newBuilder().setRef(ref).build()));
    } finally {
      auditLogger.detachAppender(captured);
    }
    ILoggingEvent denial = captured.list.stream()
        .filter(event -> event.getFormattedMessage().startsWith("audit kind=deny"))
        .reduce((first, second) -> second).orElseThrow();

    String text = render(denial, "logback.xml");
    assertOneLine(text);
    assertTrue(text.contains("/x\\n" + FORGED + " detail=\\\"\\\"\\r\\n\\u2028\\u0085" + FORGED + "/k\""), text);

    String json = render(denial, "taskcert-logback-json.xml");
    assertOneLine(json);
    String message = new ObjectMapper().readTree(json).get("formattedMessage").asText();
    assertOneLine(message + "\n");

    AuditEventRow row = env.audit(1).get(0);
    assertEquals("xcom:" + DemoData.PAYMENTS.dagId() + "/" + DemoData.RUN_ID + "/" + taskId + "/k", row.resource(),
        "the audit row keeps the id as it was sent");
  }

  /** An event as the server's log configuration {@code resource} writes it. */
  private static String render(ILoggingEvent event, String resource) throws Exception {
    URL configuration = LoggerContext.class.getClassLoader().getResource(resource);
    LoggerContext context = new LoggerContext();
    try {
      JoranConfigurator configurator = new JoranConfigurator();
      configurator.setContext(context);
      configurator.doConfigure(configuration);
      OutputStreamAppender<ILoggingEvent> appender =
          (OutputStreamAppender<ILoggingEvent>) context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).getAppender("STDERR");
      Encoder<ILoggingEvent> encoder = appender.getEncoder();
      return new String(encoder.encode(event), StandardCharsets.UTF_8);
    } finally {
      context.stop();
    }
  }

  /** Exactly one line, ended by its newline, with no other character a reader could take for a line break. */
  private static void assertOneLine(String rendered) {
    List<String> lines = rendered.lines().toList();
    assertEquals(1, lines.size(), rendered);
    assertTrue(rendered.endsWith("\n"), rendered);
    for (char breaking : new char[] {'\r', '\u2028', '\u2029', '\u0085', '\u000b', '\u000c'}) {
      assertFalse(rendered.indexOf(breaking) >= 0, "U+" + Integer.toHexString(breaking) + " in " + rendered);
    }
  }
}
