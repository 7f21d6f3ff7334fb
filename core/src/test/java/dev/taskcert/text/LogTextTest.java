package dev.taskcert.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class LogTextTest {
  @Test
  void leavesPlainTextAlone() {
    String plain = "variable:payments_api_url é 日本";
    assertSame(plain, LogText.escape(plain));
    assertEquals("null", LogText.escape(null));
  }

  @Test
  void escapesEveryCharacterThatCouldEndOrReorderALine() {
    assertEquals("a\\nb\\rc\\td", LogText.escape("a\nb\rc\td"));
    assertEquals("\\u0000\\u001b\\u007f\\u0085\\u009f", LogText.escape("\u0000\u001b\u007f\u0085\u009f"));
    assertEquals("\\u2028\\u2029\\u202e\\u2066\\u200f", LogText.escape("\u2028\u2029\u202e\u2066\u200f"));
  }

  @Test
  void doublesBackslashesSoEscapesCannotBeForged() {
    assertEquals("a\\\\nb", LogText.escape("a\\nb"));
    assertEquals("a\\\\\\nb", LogText.escape("a\\\nb"));
  }

  @Test
  void quotesFieldValuesThatCouldForgeAnotherField() {
    assertEquals("variable:k", LogText.field("variable:k"));
    assertEquals("\"k detail=\\\"forged\\\"\"", LogText.field("k detail=\"forged\""));
    assertEquals("\"\"", LogText.field(""));
    assertEquals("\"a\\nb c\"", LogText.field("a\nb c"));
  }

  @Test
  void escapesTheMessagesOfAFailureAndItsCausesButKeepsTheFrames() {
    IllegalStateException cause = new IllegalStateException("key 'x\naudit kind=issue' exists");
    RuntimeException failure = new RuntimeException("outer\r\nline", cause);
    failure.addSuppressed(new IllegalArgumentException("s\u2028t"));
    Throwable escaped = LogText.escapeFailure(failure);
    StringWriter trace = new StringWriter();
    escaped.printStackTrace(new PrintWriter(trace));
    for (String line : trace.toString().split("\n")) {
      assertFalse(line.contains("audit kind=issue") && !line.contains("x\\naudit"), line);
    }
    assertEquals("java.lang.RuntimeException: outer\\r\\nline", escaped.getMessage());
    assertEquals("java.lang.IllegalStateException: key 'x\\naudit kind=issue' exists", escaped.getCause().getMessage());
    assertEquals("java.lang.IllegalArgumentException: s\\u2028t", escaped.getSuppressed()[0].getMessage());
    assertEquals(failure.getStackTrace()[0], escaped.getStackTrace()[0]);
    assertTrue(trace.toString().contains("\tat "), "frames stay one per line");
  }
}
