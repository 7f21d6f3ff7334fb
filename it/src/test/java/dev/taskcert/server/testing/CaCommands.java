package dev.taskcert.server.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.taskcert.pki.cli.CaCli;
import dev.taskcert.pki.cli.CliContext;
import java.io.PrintWriter;
import java.io.StringWriter;

/** Runs the operator's {@code taskcert-ca} command in-process, as an operator would run it. */
public final class CaCommands {
  private CaCommands() {}

  /** Runs {@code taskcert-ca args...}, which must succeed; its output is in the failure message otherwise. */
  public static void run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit = CaCli.commandLine(CliContext.system()).setOut(new PrintWriter(out)).setErr(new PrintWriter(err)).execute(args);
    assertEquals(0, exit, "taskcert-ca " + String.join(" ", args) + "\n" + out + err);
  }
}
