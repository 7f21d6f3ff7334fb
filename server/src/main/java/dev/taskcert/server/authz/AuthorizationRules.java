package dev.taskcert.server.authz;

import java.util.List;
import java.util.stream.Collectors;

/**
 * The rule table of every v1 RPC: who may call it, in which task state, under which rule, and how
 * it refuses. {@code docs/authorization.md} embeds {@link #markdownTable()} and a test checks both
 * that the docs match and that every RPC of the contract has exactly one row, so the table cannot
 * drift from the code or miss an RPC.
 */
public final class AuthorizationRules {
  private static final String TASK = "task certificate";
  private static final String ADMIN = "admin certificate";
  private static final String NONE = "none (TLS, server auth)";
  private static final String RUNNING = "current try, RUNNING";
  private static final String ADMIN_REFUSAL = "PERMISSION_DENIED (task certificate), INVALID_ARGUMENT, NOT_FOUND";
  private static final String ADMIN_ONLY = "admin only; audited as `admin`";

  /** One row of the table. */
  public record Rule(String rpc, String caller, String taskState, String rule, String refusals) {}

  /** Every RPC of the v1 contract, in contract order. */
  public static final List<Rule> RULES = List.of(
      new Rule("taskcert.ca.v1.CertificateAuthority/Enroll", NONE, "token's try is current and QUEUED",
          "valid, unused, unexpired token (consumed atomically); CSR signature verifies; key EC P-256/P-384 or RSA >= 3072 bits with exponent 65537 to 2^256; identity from the task row, never the CSR",
          "UNAUTHENTICATED (token), INVALID_ARGUMENT (CSR), FAILED_PRECONDITION (try)"),
      new Rule("taskcert.ca.v1.CertificateAuthority/Renew", TASK, "current try, QUEUED or RUNNING",
          "same identity as the caller's certificate", "UNAUTHENTICATED, INVALID_ARGUMENT, FAILED_PRECONDITION"),
      new Rule("taskcert.ca.v1.CertificateAuthority/GetTrustBundle", NONE, "-", "public", "-"),
      new Rule("taskcert.execution.v1.TaskInstances/StartTask", TASK, "current try, QUEUED",
          "target is the caller's own try; same host and pid again is a no-op", "FAILED_PRECONDITION, INVALID_ARGUMENT"),
      new Rule("taskcert.execution.v1.TaskInstances/Heartbeat", TASK, RUNNING,
          "host and pid must match those recorded at start", "FAILED_PRECONDITION, INVALID_ARGUMENT"),
      new Rule("taskcert.execution.v1.TaskInstances/FinishTask", TASK, RUNNING,
          "own try; terminal state only; the same state again is a no-op", "FAILED_PRECONDITION, INVALID_ARGUMENT"),
      new Rule("taskcert.execution.v1.TaskInstances/DeferTask", TASK, RUNNING,
          "own try; trigger arguments are a bounded JSON object; repeating is a no-op", "FAILED_PRECONDITION, INVALID_ARGUMENT"),
      new Rule("taskcert.execution.v1.TaskInstances/RescheduleTask", TASK, RUNNING,
          "own try; date in the future; repeating is a no-op", "FAILED_PRECONDITION, INVALID_ARGUMENT"),
      new Rule("taskcert.execution.v1.TaskInstances/SetRenderedFields", TASK, RUNNING,
          "own try; bounded JSON object", "FAILED_PRECONDITION, INVALID_ARGUMENT"),
      new Rule("taskcert.execution.v1.TaskInstances/SkipDownstream", TASK, RUNNING,
          "only tasks of the caller's own dag run (the request cannot name another run); not itself; QUEUED or not yet created ones",
          "FAILED_PRECONDITION, INVALID_ARGUMENT"),
      new Rule("taskcert.execution.v1.TaskInstances/GetPreviousSuccessfulDagRun", TASK, RUNNING,
          "the caller's own DAG only", "FAILED_PRECONDITION"),
      new Rule("taskcert.execution.v1.Variables/GetVariable", TASK, RUNNING,
          "key matches the DAG's declared patterns (if it declares); variable is global or the caller's team's",
          "PERMISSION_DENIED, NOT_FOUND, INVALID_ARGUMENT, FAILED_PRECONDITION"),
      new Rule("taskcert.execution.v1.Variables/SetVariable", TASK, RUNNING,
          "only the caller's team's variables; a new key becomes the caller's team's; caller must have a team",
          "PERMISSION_DENIED, INVALID_ARGUMENT, FAILED_PRECONDITION"),
      new Rule("taskcert.execution.v1.Variables/DeleteVariable", TASK, RUNNING,
          "only the caller's team's variables", "PERMISSION_DENIED, INVALID_ARGUMENT, FAILED_PRECONDITION"),
      new Rule("taskcert.execution.v1.Variables/ListVariableKeys", TASK, RUNNING,
          "lists only keys the caller could read", "INVALID_ARGUMENT, FAILED_PRECONDITION"),
      new Rule("taskcert.execution.v1.Connections/GetConnection", TASK, RUNNING,
          "id is declared by the DAG (if it declares); connection is global or the caller's team's; password decrypted only then",
          "PERMISSION_DENIED, NOT_FOUND, INVALID_ARGUMENT, FAILED_PRECONDITION"),
      new Rule("taskcert.execution.v1.XComs/GetXCom", TASK, RUNNING,
          "target DAG global or the caller's team's, within the caller's DAG's read scope (TEAM, SAME_DAG, SAME_RUN)",
          "PERMISSION_DENIED, NOT_FOUND, INVALID_ARGUMENT, FAILED_PRECONDITION"),
      new Rule("taskcert.execution.v1.XComs/SetXCom", TASK, RUNNING,
          "writes the caller's own (dag, run, task, map index) from the certificate; value is bounded JSON",
          "INVALID_ARGUMENT, FAILED_PRECONDITION"),
      new Rule("taskcert.execution.v1.XComs/DeleteXCom", TASK, RUNNING,
          "deletes the caller's own XCom only (from the certificate)", "INVALID_ARGUMENT, FAILED_PRECONDITION"),
      new Rule("taskcert.execution.v1.XComs/GetXComItem", TASK, RUNNING, "as GetXCom",
          "PERMISSION_DENIED, NOT_FOUND, INVALID_ARGUMENT, FAILED_PRECONDITION"),
      new Rule("taskcert.execution.v1.XComs/GetXComSlice", TASK, RUNNING, "as GetXCom; at most 1000 values",
          "PERMISSION_DENIED, OUT_OF_RANGE, INVALID_ARGUMENT, FAILED_PRECONDITION"),
      new Rule("taskcert.execution.v1.XComs/GetXComCount", TASK, RUNNING, "as GetXCom",
          "PERMISSION_DENIED, INVALID_ARGUMENT, FAILED_PRECONDITION"),
      new Rule("taskcert.admin.v1.Admin/RegisterTeam", ADMIN, "-", ADMIN_ONLY, ADMIN_REFUSAL),
      new Rule("taskcert.admin.v1.Admin/RegisterDagBundle", ADMIN, "-", ADMIN_ONLY, ADMIN_REFUSAL),
      new Rule("taskcert.admin.v1.Admin/RegisterDag", ADMIN, "-", ADMIN_ONLY, ADMIN_REFUSAL),
      new Rule("taskcert.admin.v1.Admin/CreateDagRun", ADMIN, "-", ADMIN_ONLY, ADMIN_REFUSAL),
      new Rule("taskcert.admin.v1.Admin/SetDagRunState", ADMIN, "-", ADMIN_ONLY, ADMIN_REFUSAL),
      new Rule("taskcert.admin.v1.Admin/QueueTaskInstance", ADMIN, "-",
          ADMIN_ONLY + "; supersedes earlier tries; token shown once", ADMIN_REFUSAL),
      new Rule("taskcert.admin.v1.Admin/SetVariable", ADMIN, "-", ADMIN_ONLY, ADMIN_REFUSAL),
      new Rule("taskcert.admin.v1.Admin/DeleteVariable", ADMIN, "-", ADMIN_ONLY, ADMIN_REFUSAL),
      new Rule("taskcert.admin.v1.Admin/SetConnection", ADMIN, "-", ADMIN_ONLY + "; password sealed at rest", ADMIN_REFUSAL),
      new Rule("taskcert.admin.v1.Admin/DeleteConnection", ADMIN, "-", ADMIN_ONLY, ADMIN_REFUSAL),
      new Rule("taskcert.admin.v1.Admin/RevokeCertificates", ADMIN, "-",
          ADMIN_ONLY + "; each revocation audited as `revoke`", ADMIN_REFUSAL),
      new Rule("taskcert.admin.v1.Admin/ListAuditEvents", ADMIN, "-", "admin only", "PERMISSION_DENIED, INVALID_ARGUMENT"));

  private static final java.util.Set<String> TASK_RPCS = RULES.stream()
      .filter(rule -> rule.caller().equals(TASK))
      .map(Rule::rpc)
      .collect(Collectors.toUnmodifiableSet());

  private AuthorizationRules() {}

  /** Whether the table reserves {@code fullMethodName} for task certificates. */
  public static boolean requiresTaskCertificate(String fullMethodName) {
    return TASK_RPCS.contains(fullMethodName);
  }

  /** The table as Markdown, as embedded in {@code docs/authorization.md}. */
  public static String markdownTable() {
    return "| RPC | caller | task state | rule | refusals |\n|---|---|---|---|---|\n"
        + RULES.stream()
            .map(r -> "| `" + r.rpc() + "` | " + r.caller() + " | " + r.taskState() + " | " + r.rule() + " | "
                + r.refusals() + " |")
            .collect(Collectors.joining("\n"))
        + "\n";
  }
}
