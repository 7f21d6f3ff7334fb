package dev.taskcert.pki.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code bundle}: groups the commands that show and change the trust bundle. */
@Command(
    name = "bundle",
    mixinStandardHelpOptions = true,
    version = CaCli.VERSION,
    description = {
      "Shows and changes the trust bundle.",
      "",
      "bundle.pem lists the roots that relying parties trust. During a root rollover it holds the old and the new root."
    },
    subcommands = {BundlePrintCommand.class, BundleAddCommand.class, BundleRemoveCommand.class})
final class BundleCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    throw new ParameterException(spec.commandLine(), "bundle needs a command: print, add or remove");
  }
}
