package dev.taskcert.dev;

import dev.taskcert.pki.ca.CaFiles;
import dev.taskcert.pki.ca.KeyAlgorithm;
import dev.taskcert.pki.identity.AdminIdentity;
import dev.taskcert.pki.issuance.IssuedCertificate;
import dev.taskcert.pki.pem.Pem;
import dev.taskcert.server.enrollment.QueuedTry;
import dev.taskcert.server.pki.CaState;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * What a newcomer needs once dev mode is up: an admin certificate to queue more tries and read the
 * audit log, enrollment tokens in files (never on a command line, where other local users could
 * read them in the process list), and the commands to paste.
 */
final class DevWelcome {
  /** The dev admin's name; its certificate is reissued at every start and lasts a day. */
  static final AdminIdentity ADMIN = new AdminIdentity("dev-admin");

  private final DevEnvironment environment;
  private final Path dataDir;
  private final PrintWriter out;
  private final LaunchCommands commands;

  /** Prints the commands as {@code commands} names them: the way this process was launched. */
  DevWelcome(DevEnvironment environment, Path dataDir, PrintWriter out, LaunchCommands commands) {
    this.environment = environment;
    this.dataDir = dataDir;
    this.out = out;
    this.commands = commands;
  }

  /** Writes the admin certificate and {@code triesPerTask} token files per demo task, and prints how to use them. */
  void print(int triesPerTask) throws IOException {
    Path bundle = environment.ca().bundlePath();
    AdminFiles admin = writeAdminCertificate();
    out.println();
    out.println("taskcert dev server is up.");
    out.println("  Execution API (mutual TLS): " + environment.executionTarget());
    out.println("  Enrollment (TLS):           " + environment.enrollmentTarget());
    if (environment.runtime().metricsPort() >= 0) {
      String http = "http://" + environment.config().bindAddress() + ":" + environment.runtime().metricsPort();
      out.println("  Metrics and probes:         " + http + "/metrics, " + http + "/readyz");
    }
    out.println("  Trust bundle:               " + bundle);
    out.println("  Admin certificate:          " + admin.certificate() + " (key " + admin.key() + ", mode 0600)");
    out.println();
    out.println("Run a supervisor for a demo task (each token file works once):");
    for (int i = 0; i < DemoData.TASKS.size(); i++) {
      DemoData.DemoTask task = DemoData.TASKS.get(i);
      DemoData.DemoTask other = DemoData.TASKS.get((i + 1) % DemoData.TASKS.size());
      List<Path> tokens = queue(task, triesPerTask);
      out.println();
      out.println("  # " + task.dagId() + "." + task.taskId() + " (team " + task.team()
          + "): reads its own team's and the global variable, and is refused the other team's (NOT_FOUND, as if it"
          + " did not exist), so the try ends FAILED");
      out.println("  " + commands.of("supervisor") + " run --execution-target " + environment.executionTarget()
          + " --enrollment-target " + environment.enrollmentTarget() + " --trust-bundle " + bundle
          + " --token-file " + tokens.get(0) + " --variable " + task.ownVariable()
          + " --variable " + DemoData.GLOBAL_VARIABLE + " --variable " + other.ownVariable());
      if (tokens.size() > 1) {
        out.println("  # " + (tokens.size() - 1) + " more token file(s), of this task's other map indexes: "
            + tokens.subList(1, tokens.size()).stream().map(Path::toString).collect(Collectors.joining(" ")));
      }
    }
    DemoData.DemoTask first = DemoData.TASKS.get(0);
    out.println();
    out.println("Queue another try and read the audit log with the admin certificate:");
    out.println("  export TASKCERT_ADMIN_TARGET=" + environment.executionTarget()
        + " TASKCERT_ADMIN_TRUST_BUNDLE=" + bundle + " TASKCERT_ADMIN_CERT=" + admin.certificate()
        + " TASKCERT_ADMIN_KEY=" + admin.key());
    out.println("  " + commands.of("admin") + " try queue " + first.dagId() + " '" + DemoData.RUN_ID + "' " + first.taskId()
        + " --token-file " + dataDir.resolve("tokens").resolve("next.token"));
    out.println("  " + commands.of("admin") + " audit --limit 20");
    out.println();
    out.println("Or run the whole scripted scenario in its own process:  " + commands.of("dev") + " demo");
    out.println("Press Ctrl-C to stop.");
  }

  /**
   * Queues {@code count} tries of {@code task}, each token in its own file readable by the owner
   * only. Several are tries of separate map indexes, so that each stays usable: queuing another try
   * of the same task instance would supersede the one before.
   */
  private List<Path> queue(DemoData.DemoTask task, int count) throws IOException {
    Path directory = dataDir.resolve("tokens");
    CaFiles.createPrivateDirectories(directory);
    List<Path> files = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      int mapIndex = count == 1 ? -1 : i;
      QueuedTry queued = environment.taskQueue().queue(task.dagId(), DemoData.RUN_ID, task.taskId(), mapIndex, 100, null);
      Path file = directory.resolve(task.dagId() + "." + task.taskId() + (mapIndex < 0 ? "" : "." + mapIndex)
          + ".try" + queued.identity().tryNumber() + ".token");
      Files.deleteIfExists(file);
      CaFiles.writeSecret(file, queued.enrollmentToken() + "\n");
      files.add(file);
    }
    return files;
  }

  private record AdminFiles(Path certificate, Path key) {}

  private AdminFiles writeAdminCertificate() throws IOException {
    Path directory = dataDir.resolve("admin");
    CaFiles.createPrivateDirectories(directory);
    KeyPair keys = KeyAlgorithm.EC_P256.generate(new SecureRandom());
    IssuedCertificate issued = environment.runtime().injector().getInstance(CaState.class).current().issuer()
        .issueAdmin(keys.getPublic(), ADMIN, Clock.systemUTC().instant(), Duration.ofDays(1));
    AdminFiles files = new AdminFiles(directory.resolve(ADMIN.name() + ".pem"),
        directory.resolve(ADMIN.name() + "-key.pem"));
    Files.deleteIfExists(files.key());
    Files.deleteIfExists(files.certificate());
    CaFiles.writeSecret(files.key(), Pem.privateKey(keys.getPrivate()));
    CaFiles.writePublic(files.certificate(), Pem.certificates(issued.chain()));
    return files;
  }
}
