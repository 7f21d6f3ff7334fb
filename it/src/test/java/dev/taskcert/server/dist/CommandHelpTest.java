package dev.taskcert.server.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskcert.admin.AdminCli;
import dev.taskcert.dev.DevCli;
import dev.taskcert.pki.cli.CaCli;
import dev.taskcert.pki.cli.CliContext;
import dev.taskcert.server.cli.ServerCli;
import dev.taskcert.supervisor.cli.SupervisorCli;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * The help of every command of every launcher: a command list shows the first line of each
 * command's description, so that line is a whole sentence; no description is hard-wrapped into
 * pieces (picocli wraps to the terminal); every command answers --help with its usage.
 */
class CommandHelpTest {
  private static final List<Supplier<CommandLine>> LAUNCHERS = List.of(
      () -> ServerCli.commandLine(Map.of()),
      () -> CaCli.commandLine(CliContext.system()),
      AdminCli::commandLine,
      SupervisorCli::commandLine,
      () -> new CommandLine(new DevCli()));

  private static void collect(CommandSpec command, List<CommandSpec> all) {
    all.add(command);
    command.subcommands().values().forEach(sub -> collect(sub.getCommandSpec(), all));
  }

  @Test
  void everyCommandSummaryIsOneWholeSentence() {
    List<String> problems = new ArrayList<>();
    for (Supplier<CommandLine> launcher : LAUNCHERS) {
      List<CommandSpec> commands = new ArrayList<>();
      collect(launcher.get().getCommandSpec(), commands);
      for (CommandSpec command : commands) {
        String[] description = command.usageMessage().description();
        String name = command.qualifiedName();
        if (description.length == 0 || !wholeSentences(description[0])) {
          problems.add(name + ": the summary is not a whole sentence: " + String.join("|", description));
        }
        for (String line : description) {
          if (!line.isEmpty() && !wholeSentences(line)) {
            problems.add(name + ": a description line cut mid-sentence: " + line);
          }
        }
        for (ArgSpec argument : command.args()) {
          if (argument.description().length != 1) {
            problems.add(name + " " + argument + ": " + argument.description().length + " description lines");
          }
        }
      }
    }
    assertEquals(List.of(), problems);
  }

  /** Whether {@code line} ends as a sentence does: with a full stop, inside parentheses or not. */
  private static boolean wholeSentences(String line) {
    return line.endsWith(".") || line.endsWith(".)");
  }

  @Test
  void everyCommandAnswersHelp() {
    for (Supplier<CommandLine> launcher : LAUNCHERS) {
      List<CommandSpec> commands = new ArrayList<>();
      collect(launcher.get().getCommandSpec(), commands);
      for (CommandSpec command : commands) {
        List<String> args = new ArrayList<>(List.of(command.qualifiedName(" ").split(" ")));
        args.remove(0);
        args.add("--help");
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = launcher.get().setOut(new PrintWriter(out)).setErr(new PrintWriter(err))
            .execute(args.toArray(String[]::new));
        assertEquals(0, exit, command.qualifiedName(" ") + " --help: " + err);
        assertTrue(out.toString().startsWith("Usage: " + command.qualifiedName(" ")), out.toString());
      }
    }
  }
}
