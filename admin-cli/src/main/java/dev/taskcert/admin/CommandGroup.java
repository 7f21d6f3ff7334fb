package dev.taskcert.admin;

import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** A command that only groups others ({@code team register}, {@code run create}, ...): alone it is a usage error. */
abstract class CommandGroup implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    throw new ParameterException(spec.commandLine(), spec.qualifiedName() + " needs a command: "
        + String.join(", ", spec.subcommands().keySet()));
  }
}
