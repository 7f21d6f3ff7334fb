package dev.taskcert.admin;

import dev.taskcert.pki.ca.KeyPairs;
import dev.taskcert.pki.identity.InvalidIdentityException;
import dev.taskcert.pki.identity.SpiffeIdCodec;
import dev.taskcert.pki.identity.TaskIdentity;
import dev.taskcert.pki.identity.TrustDomain;
import dev.taskcert.proto.admin.v1.TaskTryRef;
import dev.taskcert.pki.pem.Pem;
import dev.taskcert.pki.pem.PemException;
import dev.taskcert.proto.admin.v1.AdminGrpc;
import dev.taskcert.supervisor.channel.ClientTls;
import dev.taskcert.supervisor.channel.ConnectionFailures;
import dev.taskcert.supervisor.channel.LibraryLogging;
import dev.taskcert.supervisor.credentials.TaskCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * What every {@code taskcert-admin} command shares: it reads the admin credentials, opens one
 * mutual-TLS channel, makes its calls, and maps failures to the exit-status convention (0 done;
 * 1 with one {@code error:} line when the server refuses, cannot be reached, or a file is unusable;
 * 2 for usage errors).
 */
abstract class AdminCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  /** A failure of the operation (exit status 1) with a message for the operator. */
  static final class Failure extends Exception {
    Failure(String message) {
      super(message);
    }
  }

  @Override
  public final Integer call() {
    AdminCli root = (AdminCli) spec.root().userObject();
    if (!root.verbose) {
      LibraryLogging.quiet();
    }
    TaskCredentials credentials;
    try {
      credentials = credentials(root);
    } catch (Failure e) {
      return fail(e.getMessage(), null, root);
    }
    for (String entry : root.target.split(",")) {
      if (entry.strip().lastIndexOf(':') <= entry.strip().lastIndexOf(']')) {
        throw usageError("--target must be HOST:PORT (or HOST:PORT,HOST:PORT,... for replicas), got " + root.target);
      }
    }
    ManagedChannel channel;
    try {
      channel = ClientTls.mutualTlsChannel(root.target, credentials);
    } catch (IllegalArgumentException e) {
      throw usageError("--target " + root.target + ": " + e.getMessage());
    }
    try {
      AdminGrpc.AdminBlockingStub admin = AdminGrpc.newBlockingStub(channel);
      execute(() -> admin.withDeadlineAfter(root.timeoutSeconds, TimeUnit.SECONDS), new Output(out(), root.json));
      return 0;
    } catch (StatusRuntimeException e) {
      String reason = new ConnectionFailures(root.target, "--trust-bundle " + root.trustBundle,
          "--cert " + root.certificate).describe(e).orElseGet(() -> e.getStatus().getCode() + ": "
              + (e.getStatus().getDescription() == null ? "the server gave no reason" : e.getStatus().getDescription())
              + (e.getStatus().getCode() == Status.Code.UNIMPLEMENTED
                  ? " (is --target " + root.target + " the server's mutual-TLS port, not its enrollment port?)" : ""));
      return fail(reason, e, root);
    } catch (Failure e) {
      return fail(e.getMessage(), null, root);
    } finally {
      channel.shutdownNow();
      out().flush();
    }
  }

  /** A fresh stub for each call, so that each has its own deadline. */
  interface Stubs {
    AdminGrpc.AdminBlockingStub admin();
  }

  /** Makes the command's calls and prints what they returned. */
  protected abstract void execute(Stubs stubs, Output output) throws Failure;

  protected PrintWriter out() {
    return spec.commandLine().getOut();
  }

  /** A usage error: one line, exit status 2. */
  protected ParameterException usageError(String message) {
    return new ParameterException(spec.commandLine(), message);
  }

  /**
   * The value of {@code option} as the user wrote it ({@code P31D}, where the parsed duration would
   * print as {@code PT744H}), or as its default if it was not given.
   */
  protected String asGiven(String option) {
    return asGiven(spec, option);
  }

  static String asGiven(CommandSpec command, String option) {
    OptionSpec given = command.findOption(option);
    List<String> values = given.originalStringValues();
    return values.isEmpty() ? String.valueOf(given.getValue()) : values.get(values.size() - 1);
  }

  /** A task try's SPIFFE ID as requests name it (any trust domain: the server checks it is its own). */
  protected TaskTryRef taskTry(String spiffeId, String option) {
    String rest = spiffeId.startsWith("spiffe://") ? spiffeId.substring("spiffe://".length()) : "";
    int slash = rest.indexOf('/');
    try {
      if (slash <= 0
          || !(new SpiffeIdCodec(new TrustDomain(rest.substring(0, slash))).parse(spiffeId) instanceof TaskIdentity task)) {
        throw usageError(option + " must be a task try's SPIFFE ID (spiffe://<domain>/ti/...), got " + spiffeId);
      }
      return TaskTryRef.newBuilder().setDagId(task.dagId()).setRunId(task.runId()).setTaskId(task.taskId())
          .setMapIndex(task.mapIndex()).setTryNumber(task.tryNumber()).build();
    } catch (InvalidIdentityException e) {
      throw usageError(option + " is not a valid SPIFFE ID: " + e.getMessage());
    }
  }

  /** One {@code error:} line, exit status 1; with --verbose, the exception and its causes after it. */
  private int fail(String message, Exception cause, AdminCli root) {
    PrintWriter err = spec.commandLine().getErr();
    err.println("error: " + message);
    if (root.verbose && cause != null) {
      cause.printStackTrace(err);
    }
    err.flush();
    return 1;
  }

  private TaskCredentials credentials(AdminCli root) throws Failure {
    require(root.target, "--target", "TASKCERT_ADMIN_TARGET");
    require(root.trustBundle, "--trust-bundle", "TASKCERT_ADMIN_TRUST_BUNDLE");
    require(root.certificate, "--cert", "TASKCERT_ADMIN_CERT");
    require(root.key, "--key", "TASKCERT_ADMIN_KEY");
    List<X509Certificate> chain = certificates(root.certificate, "--cert");
    PrivateKey key = privateKey(root.key);
    List<X509Certificate> roots = certificates(root.trustBundle, "--trust-bundle");
    X509Certificate leaf = chain.get(0);
    if (!KeyPairs.matches(leaf.getPublicKey(), key)) {
      throw new Failure("--key " + root.key + " is not the private key of the certificate in --cert " + root.certificate);
    }
    return new TaskCredentials(key, chain, roots, "", leaf.getSerialNumber().toString(16),
        leaf.getNotAfter().toInstant());
  }

  private void require(Object value, String option, String variable) {
    if (value == null || value.toString().isBlank()) {
      throw usageError("give " + option + " or set " + variable);
    }
  }

  private static List<X509Certificate> certificates(Path file, String option) throws Failure {
    try {
      return Pem.parseCertificates(read(file, option));
    } catch (PemException e) {
      throw new Failure(option + " " + file + ": " + e.getMessage());
    }
  }

  private static PrivateKey privateKey(Path file) throws Failure {
    try {
      return Pem.parsePrivateKey(read(file, "--key"));
    } catch (PemException e) {
      throw new Failure("--key " + file + ": " + e.getMessage());
    }
  }

  /** The text of a file, or a failure naming the option and why it cannot be read. */
  static String read(Path file, String option) throws Failure {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new Failure(option + " " + file + ": no such file");
    } catch (java.nio.file.AccessDeniedException e) {
      throw new Failure(option + " " + file + ": permission denied");
    } catch (IOException e) {
      throw new Failure(option + " " + file + ": cannot read it (" + e.getMessage() + ")");
    }
  }
}
