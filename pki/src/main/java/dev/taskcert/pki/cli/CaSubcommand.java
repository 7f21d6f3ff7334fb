package dev.taskcert.pki.cli;

import dev.taskcert.pki.ca.CaLoadException;
import dev.taskcert.pki.ca.KeyProtection;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * What every {@code taskcert-ca} command shares: exit status 0 on success, 1 with a message on
 * stderr starting with {@code error: } when the operation fails, and usage errors (exit 2) as one
 * {@code error:} line too ({@link CaCli#commandLine}).
 */
abstract class CaSubcommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public final Integer call() {
    try {
      execute();
      return 0;
    } catch (ParameterException e) {
      throw e;
    } catch (Exception e) {
      PrintWriter err = spec.commandLine().getErr();
      err.println("error: " + describe(e));
      err.flush();
      return 1;
    } finally {
      out().flush();
    }
  }

  /** Does the work; any exception becomes exit status 1. */
  protected abstract void execute() throws Exception;

  protected PrintWriter out() {
    return spec.commandLine().getOut();
  }

  protected CliContext context() {
    return spec.root().userObject() instanceof CaCli cli ? cli.context() : CliContext.system();
  }

  /** A usage error: one {@code error:} line and exit status 2. */
  protected ParameterException usageError(String message) {
    return new ParameterException(spec.commandLine(), message);
  }

  /**
   * The value of {@code option} as the operator wrote it ({@code P31D}, where the parsed duration
   * would print as {@code PT744H}), or as its default if it was not given.
   */
  protected String asGiven(String option) {
    OptionSpec given = spec.findOption(option);
    List<String> values = given.originalStringValues();
    return values.isEmpty() ? String.valueOf(given.defaultValue()) : values.get(values.size() - 1);
  }

  /** How keys a command only reads are protected: no passphrase options means unencrypted. */
  protected KeyProtection readProtection(PassphraseOptions options) throws IOException, CaLoadException {
    return options == null ? KeyProtection.none() : options.protection(context());
  }

  /** How keys a command writes are protected: the operator must say, even if only "none". */
  protected KeyProtection writeProtection(PassphraseOptions options) throws IOException, CaLoadException {
    if (options == null) {
      throw usageError(
          "this command writes a private key: give --passphrase-env or --passphrase-file, or"
              + " --no-passphrase for a development CA");
    }
    return options.protection(context());
  }

  /** How the root key is protected: its own passphrase if given, else as the other keys. */
  protected KeyProtection rootProtection(RootPassphraseOptions options, KeyProtection otherKeys)
      throws IOException, CaLoadException {
    return options == null ? otherKeys : options.protection(context());
  }

  private static String describe(Exception e) {
    if (e instanceof NoSuchFileException missing) {
      return "no such file or directory: " + missing.getFile();
    }
    if (e instanceof FileAlreadyExistsException exists) {
      return "already exists: " + exists.getFile();
    }
    if (e instanceof AccessDeniedException denied) {
      return "permission denied: " + denied.getFile();
    }
    if (e.getMessage() == null || e.getMessage().isBlank()) {
      return e.getClass().getSimpleName();
    }
    boolean specificIoProblem = e instanceof IOException && e.getClass() != IOException.class;
    return specificIoProblem ? e.getClass().getSimpleName() + ": " + e.getMessage() : e.getMessage();
  }
}
